/**
 * The reconcile accounting, pure and in bounded memory: every expected meter record (from the source backup,
 * through the transform's rules) gets one final state from what the delivered objects, the error prefix and
 * Amberflo's reason objects say about it. Per record it keeps about 80 bytes of typed arrays (its uniqueId and
 * log event as 64-bit hashes, state, group, index), never the record itself; strings only for the examples it reports.
 *
 * Identity: a valid record is its uniqueId. A record the transform rejects may have none, so every expected
 * record is also its log event (log group, log stream, event id) and its position in the event's JSON array (0
 * for a single record): the key the error prefix's rejects payloads and whole failed records carry.
 */
import { HashIndex, float64Column, hash32, hash64, uint16Column, uint32Column, uint8Column } from './hash-index.ts';

/** How a record was found (bits of the state column). */
const DELIVERED = 1;
const REFUSED = 2;
const QUARANTINED = 4;
const CONFLICTING = 8;

export interface LedgerOptions {
  /** Totals per meter and customer, instead of per meter. */
  readonly byCustomer: boolean;
  /** Only records of these meters (all when empty). */
  readonly meters: readonly string[];
  /** How many conflicting records are kept as examples. */
  readonly exampleLimit: number;
}

/** Totals of one meter (and customer, with byCustomer). */
export interface GroupTotals {
  readonly meterApiName: string;
  readonly customerId?: string;
  readonly expected: number;
  readonly delivered: number;
  readonly quarantined: number;
  readonly quarantinedByReason: Readonly<Record<string, number>>;
  readonly refused: number;
  readonly missing: number;
  /** Extra deliveries of a uniqueId with the expected content: Amberflo discards them. */
  readonly duplicated: number;
  /** Records delivered with content other than the log's (or logged twice under one uniqueId with different content). */
  readonly conflicting: number;
  /** Sum of meterValue of the valid expected records. */
  readonly expectedValue: number;
  /** Sum of meterValue of those delivered (each uniqueId once). */
  readonly deliveredValue: number;
  /** Delivered records whose log events are not in the window (counted, not errors). */
  readonly outsideWindow: number;
}

export interface MissingSpan {
  readonly since: number;
  readonly until: number;
  readonly logGroups: readonly string[];
}

export interface ConflictExample {
  readonly uniqueId: string;
  readonly object: string;
  readonly problem: string;
}

export interface LedgerSummary {
  readonly groups: readonly GroupTotals[];
  readonly total: Omit<GroupTotals, 'meterApiName' | 'customerId'>;
  readonly events: number;
  /** Log events found more than once in the backup (e.g. a log group matched by two subscription filters), counted once. */
  readonly repeatedEvents: number;
  /** Failed events of the error prefix whose log events are not in the window (counted, not errors). */
  readonly quarantinedOutsideWindow: number;
  readonly conflicts: readonly ConflictExample[];
  readonly reconciled: boolean;
}

interface MutableGroup {
  readonly meterApiName: string;
  readonly customerId?: string;
  expectedValue: number;
  deliveredValue: number;
  duplicated: number;
  outsideWindow: number;
}

export class ReconcileLedger {
  private readonly events = new HashIndex();
  private readonly eventFirst = uint32Column();
  private readonly eventCount = uint32Column();
  private readonly eventObject = uint32Column();
  private readonly eventTime = float64Column();
  private readonly eventGroup = uint32Column();
  private readonly logGroups: string[] = [];
  private readonly logGroupOf = new Map<string, number>();
  private eventTotal = 0;

  private readonly uniqueIds = new HashIndex();
  private readonly recordGroup = uint32Column();
  private readonly recordIndex = uint32Column();
  private readonly recordLine = uint32Column();
  private readonly recordState = uint8Column();
  private readonly recordReason = uint16Column();
  private recordTotal = 0;

  private readonly groups: MutableGroup[] = [];
  private readonly groupOf = new Map<string, number>();
  private readonly reasons: string[] = [''];
  private readonly reasonOf = new Map<string, number>();
  private readonly conflicts: ConflictExample[] = [];
  private repeatedEvents = 0;
  private quarantinedOutside = 0;
  private openEvent = -1;

  constructor(private readonly options: LedgerOptions) {}

  /** The key of a log event: what the error prefix names a failed event by. */
  static eventKey(logGroup: string, logStream: string, eventId: string): string {
    return `${logGroup}\n${logStream}\n${eventId}`;
  }

  /**
   * Opens an expected log event, found in backup object number `object`; its records follow with addRecord.
   * Returns false when the event was seen already (its records are then ignored).
   */
  openLogEvent(key: string, event: { readonly object: number; readonly timestamp: number; readonly logGroup: string }): boolean {
    const { hi, lo } = hash64(key);
    if (this.events.get(hi, lo) >= 0) {
      this.repeatedEvents += 1;
      this.openEvent = -1;
      return false;
    }
    const at = this.eventTotal++;
    this.events.add(hi, lo, at);
    this.eventFirst.set(at, this.recordTotal);
    this.eventCount.set(at, 0);
    this.eventObject.set(at, event.object);
    this.eventTime.set(at, event.timestamp);
    let logGroup = this.logGroupOf.get(event.logGroup);
    if (logGroup === undefined) {
      logGroup = this.logGroups.push(event.logGroup) - 1;
      this.logGroupOf.set(event.logGroup, logGroup);
    }
    this.eventGroup.set(at, logGroup);
    this.openEvent = at;
    return true;
  }

  /**
   * Adds a record of the open log event, in array order. `uniqueId` and `line` (its NDJSON line, without the
   * newline) are those of a valid record; `meterValue` counts towards the expected sum when given.
   */
  addRecord(record: {
    readonly index: number;
    readonly meterApiName: string;
    readonly customerId: string;
    readonly uniqueId?: string;
    readonly line?: string;
    readonly meterValue?: number;
    readonly reason?: string;
  }): void {
    const event = this.openEvent;
    if (event < 0) return;
    if (this.options.meters.length > 0 && !this.options.meters.includes(record.meterApiName)) return;
    const group = this.groupFor(record.meterApiName, record.customerId);
    if (record.uniqueId !== undefined) {
      const { hi, lo } = hash64(record.uniqueId);
      const existing = this.uniqueIds.get(hi, lo);
      if (existing >= 0) {
        // One uniqueId logged twice: the same record (counted once), or two records Amberflo cannot tell apart.
        if (this.recordLine.get(existing) !== hash32(record.line ?? '')) {
          this.markConflict(existing, record.uniqueId, 'source backup', 'logged twice with different content');
        }
        return;
      }
      this.uniqueIds.add(hi, lo, this.recordTotal);
    }
    const at = this.recordTotal++;
    this.recordGroup.set(at, group);
    this.recordIndex.set(at, record.index);
    this.recordLine.set(at, record.line === undefined ? 0 : hash32(record.line));
    this.recordState.set(at, 0);
    this.recordReason.set(at, record.reason === undefined ? 0 : this.reasonCode(record.reason));
    this.eventCount.set(event, this.eventCount.get(event) + 1);
    const totals = this.groups[group] as MutableGroup;
    if (record.meterValue !== undefined) totals.expectedValue += record.meterValue;
  }

  /**
   * A delivered record (a line of a data object). `refused`: the object is one Amberflo wrote a reason for.
   * Returns whether it is an expected record.
   */
  deliver(line: string, record: { readonly uniqueId: string; readonly meterApiName: string; readonly customerId: string; readonly meterValue: number }, object: string, refused: boolean): boolean {
    const { hi, lo } = hash64(record.uniqueId);
    const at = this.uniqueIds.get(hi, lo);
    if (at < 0) {
      if (this.options.meters.length === 0 || this.options.meters.includes(record.meterApiName)) {
        (this.groups[this.groupFor(record.meterApiName, record.customerId)] as MutableGroup).outsideWindow += 1;
      }
      return false;
    }
    const state = this.recordState.get(at);
    const totals = this.groups[this.recordGroup.get(at)] as MutableGroup;
    if ((state & (DELIVERED | REFUSED)) !== 0) totals.duplicated += 1;
    if (this.recordLine.get(at) !== hash32(line)) this.markConflict(at, record.uniqueId, object, 'delivered with content other than the log event gives');
    if (refused) this.recordState.set(at, state | REFUSED);
    else if ((state & DELIVERED) === 0) {
      this.recordState.set(at, state | DELIVERED);
      totals.deliveredValue += record.meterValue;
    }
    return true;
  }

  /**
   * A failed event of the error prefix: the record at `index` of the log event (`undefined`: every record of it,
   * as for a whole failed CloudWatch record). Returns whether it names an expected record.
   */
  quarantine(eventKey: string, index: number | undefined, reason: string): boolean {
    const { hi, lo } = hash64(eventKey);
    const event = this.events.get(hi, lo);
    if (event < 0) {
      this.quarantinedOutside += 1;
      return false;
    }
    const first = this.eventFirst.get(event);
    const end = first + this.eventCount.get(event);
    const code = this.reasonCode(reason);
    let matched = false;
    for (let at = first; at < end; at++) {
      if (index !== undefined && this.recordIndex.get(at) !== index) continue;
      // The first reason a record was quarantined for is the one reported.
      if ((this.recordState.get(at) & QUARANTINED) === 0) {
        this.recordState.set(at, this.recordState.get(at) | QUARANTINED);
        this.recordReason.set(at, code);
      }
      matched = true;
    }
    if (!matched) this.quarantinedOutside += 1;
    return matched;
  }

  /** Whether records of the log event are missing, and which (their positions in its array). */
  missingIndexes(eventKey: string): number[] {
    const { hi, lo } = hash64(eventKey);
    const event = this.events.get(hi, lo);
    if (event < 0) return [];
    const first = this.eventFirst.get(event);
    const indexes: number[] = [];
    for (let at = first; at < first + this.eventCount.get(event); at++) {
      if ((this.recordState.get(at) & (DELIVERED | REFUSED | QUARANTINED)) === 0) indexes.push(this.recordIndex.get(at));
    }
    return indexes;
  }

  /** The backup objects (by number) that hold log events with missing records. */
  objectsWithMissing(): Set<number> {
    const objects = new Set<number>();
    this.forEachEventWithMissing((event) => objects.add(this.eventObject.get(event)));
    return objects;
  }

  /** The time span (until excluded) and log groups of the log events with missing records; undefined when none. */
  missingSpan(): MissingSpan | undefined {
    let since = Number.POSITIVE_INFINITY;
    let until = Number.NEGATIVE_INFINITY;
    const groups = new Set<number>();
    this.forEachEventWithMissing((event) => {
      since = Math.min(since, this.eventTime.get(event));
      until = Math.max(until, this.eventTime.get(event) + 1);
      groups.add(this.eventGroup.get(event));
    });
    if (groups.size === 0) return undefined;
    return { since, until, logGroups: [...groups].map((group) => this.logGroups[group] as string).sort() };
  }

  private forEachEventWithMissing(visit: (event: number) => void): void {
    for (let event = 0; event < this.eventTotal; event++) {
      const first = this.eventFirst.get(event);
      for (let at = first; at < first + this.eventCount.get(event); at++) {
        if ((this.recordState.get(at) & (DELIVERED | REFUSED | QUARANTINED)) === 0) {
          visit(event);
          break;
        }
      }
    }
  }

  summary(): LedgerSummary {
    const counts = this.groups.map(() => ({ expected: 0, delivered: 0, refused: 0, quarantined: 0, missing: 0, conflicting: 0, byReason: new Map<number, number>() }));
    for (let at = 0; at < this.recordTotal; at++) {
      const state = this.recordState.get(at);
      const count = counts[this.recordGroup.get(at)] as (typeof counts)[number];
      count.expected += 1;
      if ((state & CONFLICTING) !== 0) count.conflicting += 1;
      if ((state & DELIVERED) !== 0) count.delivered += 1;
      else if ((state & REFUSED) !== 0) count.refused += 1;
      else if ((state & QUARANTINED) !== 0) {
        count.quarantined += 1;
        const reason = this.recordReason.get(at);
        count.byReason.set(reason, (count.byReason.get(reason) ?? 0) + 1);
      } else count.missing += 1;
    }
    const groups: GroupTotals[] = this.groups
      .map((group, i) => {
        const count = counts[i] as (typeof counts)[number];
        return {
          meterApiName: group.meterApiName,
          ...(group.customerId === undefined ? {} : { customerId: group.customerId }),
          expected: count.expected,
          delivered: count.delivered,
          quarantined: count.quarantined,
          quarantinedByReason: Object.fromEntries([...count.byReason].map(([code, n]) => [this.reasons[code] as string, n]).sort(([a], [b]) => String(a).localeCompare(String(b)))),
          refused: count.refused,
          missing: count.missing,
          duplicated: group.duplicated,
          conflicting: count.conflicting,
          expectedValue: group.expectedValue,
          deliveredValue: group.deliveredValue,
          outsideWindow: group.outsideWindow,
        };
      })
      .sort((a, b) => a.meterApiName.localeCompare(b.meterApiName) || (a.customerId ?? '').localeCompare(b.customerId ?? ''));
    const total = sumGroups(groups);
    return {
      groups,
      total,
      events: this.eventTotal,
      repeatedEvents: this.repeatedEvents,
      quarantinedOutsideWindow: this.quarantinedOutside,
      conflicts: this.conflicts,
      reconciled: total.missing === 0 && total.conflicting === 0,
    };
  }

  private markConflict(at: number, uniqueId: string, object: string, problem: string): void {
    const state = this.recordState.get(at);
    if ((state & CONFLICTING) !== 0) return;
    this.recordState.set(at, state | CONFLICTING);
    if (this.conflicts.length < this.options.exampleLimit) this.conflicts.push({ uniqueId, object, problem });
  }

  private groupFor(meterApiName: string, customerId: string): number {
    const key = this.options.byCustomer ? `${meterApiName}\n${customerId}` : meterApiName;
    let group = this.groupOf.get(key);
    if (group === undefined) {
      group = this.groups.length;
      this.groups.push({ meterApiName, ...(this.options.byCustomer ? { customerId } : {}), expectedValue: 0, deliveredValue: 0, duplicated: 0, outsideWindow: 0 });
      this.groupOf.set(key, group);
    }
    return group;
  }

  private reasonCode(reason: string): number {
    let code = this.reasonOf.get(reason);
    if (code === undefined) {
      code = this.reasons.length;
      this.reasons.push(reason);
      this.reasonOf.set(reason, code);
    }
    return code;
  }
}

function sumGroups(groups: readonly GroupTotals[]): LedgerSummary['total'] {
  const byReason: Record<string, number> = {};
  const total = { expected: 0, delivered: 0, quarantined: 0, refused: 0, missing: 0, duplicated: 0, conflicting: 0, expectedValue: 0, deliveredValue: 0, outsideWindow: 0 };
  for (const group of groups) {
    for (const key of Object.keys(total) as (keyof typeof total)[]) total[key] += group[key];
    for (const [reason, count] of Object.entries(group.quarantinedByReason)) byReason[reason] = (byReason[reason] ?? 0) + count;
  }
  return { ...total, quarantinedByReason: Object.fromEntries(Object.entries(byReason).sort(([a], [b]) => a.localeCompare(b))) };
}
