/**
 * The reconcile accounting, pure and in bounded memory: every expected meter record (from the source backup,
 * through the transform's rules) gets one outcome from what the delivered objects, the error prefix and Amberflo's
 * reason objects say about it. Per record it keeps about 90 bytes of typed arrays (its identity and log event as
 * 64-bit hashes, state, group, index, value), never the record itself; strings only for the examples it reports.
 *
 * Identity: a valid record is its uniqueId; a uniqueId the transform derived from the log event is qualified by
 * the event's account (`<owner>-<derived id>`, the form a sender's records are delivered in), so accounts sharing
 * event ids never collide. A record the transform rejects may have no uniqueId, so every expected record is also
 * its log event (owner, log group, log stream, event id) and its position in the event's JSON array (0 for a single
 * record): the key the error prefix's rejects payloads and whole failed records carry.
 *
 * A state only ever gains bits (`addState`): no later write can lose an earlier finding.
 */
import { HashIndex, Interned, float64Column, hash32, hash64, uint16Column, uint32Column, uint8Column } from './hash-index.ts';
import { UnknownDeliveries } from './unexpected.ts';
import { type ConflictExample, type DeliveredFrom, type DeliveredRecord, type GroupBy, type GroupTotals, type HomeAccount, type LedgerSummary, type MutableTotals, type RecoverySpan, addTotals, emptyTotals } from './verdict.ts';

/** How a record was found (bits of the state column). */
const DELIVERED = 1;
const REFUSED = 2;
const QUARANTINED = 4;
const CONFLICTING = 8;
/** Its uniqueId was derived from its log event (so it is delivered plain, or `<owner>-` prefixed for a sender). */
const DERIVED = 16;

export interface LedgerOptions {
  readonly by: GroupBy;
  /** Only records of these meters (all when empty). */
  readonly meters: readonly string[];
  /** How many conflicting records are kept as examples. */
  readonly exampleLimit: number;
  /** The pipeline's account (HOME_ACCOUNT_ID), when known; otherwise inferred from the delivered uniqueIds. */
  readonly homeAccount?: string | undefined;
}

interface Pending {
  readonly line: string;
  readonly record: DeliveredRecord;
  readonly from: DeliveredFrom;
  readonly candidates: readonly number[];
}

const UNKNOWN = '-';

export class ReconcileLedger {
  private readonly events = new HashIndex();
  private readonly eventFirst = uint32Column();
  private readonly eventCount = uint32Column();
  private readonly eventObject = uint32Column();
  private readonly eventTime = float64Column();
  private readonly eventGroup = uint32Column();
  private readonly logGroups = new Interned();
  private eventTotal = 0;

  private readonly uniqueIds = new HashIndex();
  private readonly recordGroup = uint32Column();
  private readonly recordIndex = uint32Column();
  private readonly recordLine = uint32Column();
  private readonly recordState = uint8Column();
  private readonly recordReason = uint16Column();
  private readonly recordOwner = uint16Column();
  private readonly recordValue = float64Column();
  private recordTotal = 0;

  /** Each group's fields, and its key in groupOf (meter, then customer or account, after a newline: sorts as they do). */
  private readonly groups: { readonly key: Pick<GroupTotals, 'meterApiName' | 'customerId' | 'account'>; readonly sortKey: string; duplicated: number; outsideWindow: number }[] = [];
  private readonly groupOf = new Map<string, number>();
  private readonly reasons = new Interned();
  private readonly owners = new Interned();
  /** Accounts seen as the `<owner>-` prefix of a delivered uniqueId: senders, so not the pipeline's account. */
  private readonly senders = new Set<string>();
  private readonly pending: Pending[] = [];
  private readonly unknown = new UnknownDeliveries();
  private readonly conflicts: ConflictExample[] = [];
  private repeatedEvents = 0;
  private quarantinedOutside = 0;
  private openEvent = -1;
  private openOwner = 0;
  private home: HomeAccount;

  constructor(private readonly options: LedgerOptions) {
    this.home = options.homeAccount === undefined ? { from: 'unknown' } : { account: options.homeAccount, from: 'option' };
  }

  /** The key of a log event: what the error prefix names a failed event by. */
  static eventKey(owner: string, logGroup: string, logStream: string, eventId: string): string {
    return `${owner}\n${logGroup}\n${logStream}\n${eventId}`;
  }

  /**
   * Opens an expected log event, found in backup object number `object`; its records follow with addRecord.
   * Returns false when the event was seen already (its records are then ignored).
   */
  openLogEvent(key: string, event: { readonly object: number; readonly timestamp: number; readonly logGroup: string; readonly owner: string }): boolean {
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
    this.eventGroup.set(at, this.logGroups.code(event.logGroup));
    this.openOwner = this.owners.code(event.owner);
    this.openEvent = at;
    return true;
  }

  /**
   * Adds a record of the open log event, in array order. `uniqueId` and `line` (its NDJSON line, without the
   * newline) are those of a valid record, `derived` when the transform derived the uniqueId from the event (it
   * ran without HOME_ACCOUNT_ID: the id is plain); `meterValue` counts towards the value sums when given.
   */
  addRecord(record: {
    readonly index: number;
    readonly meterApiName: string;
    readonly customerId: string;
    readonly uniqueId?: string;
    readonly derived?: boolean;
    readonly line?: string;
    readonly meterValue?: number;
  }): void {
    const event = this.openEvent;
    if (event < 0 || !this.selected(record.meterApiName)) return;
    const owner = this.owners.name(this.openOwner);
    const group = this.groupFor(record.meterApiName, record.customerId, owner);
    const derived = record.derived === true;
    const lineHash = record.line === undefined ? 0 : hash32(record.line);
    if (record.uniqueId !== undefined) {
      const identity = derived ? `${owner}-${record.uniqueId}` : record.uniqueId;
      const { hi, lo } = hash64(identity);
      const existing = this.uniqueIds.get(hi, lo);
      if (existing >= 0) {
        // One uniqueId logged twice: the same record (counted once), or two records Amberflo cannot tell apart.
        if (this.recordLine.get(existing) !== lineHash) {
          this.markConflict(existing, record.uniqueId, 'source backup', 'logged twice with different content');
        }
        return;
      }
      this.uniqueIds.add(hi, lo, this.recordTotal);
    }
    const at = this.recordTotal++;
    this.recordGroup.set(at, group);
    this.recordIndex.set(at, record.index);
    this.recordLine.set(at, lineHash);
    this.recordState.set(at, derived ? DERIVED : 0);
    this.recordOwner.set(at, this.openOwner);
    this.recordValue.set(at, record.meterValue ?? 0);
    this.eventCount.set(event, this.eventCount.get(event) + 1);
  }

  /**
   * A delivered record (a line of a data object). A plain derived uniqueId that several accounts' records share
   * (accounts with the same event ids) is the pipeline's account's: matched by content, else by the account, else
   * held until every data object is read (see finishDeliveries). Returns whether it is an expected record.
   */
  deliver(line: string, record: DeliveredRecord, from: DeliveredFrom): boolean {
    if (!this.selected(record.meterApiName)) return false;
    const direct = this.lookup(record.uniqueId);
    if (direct >= 0) {
      const owner = this.owners.name(this.recordOwner.get(direct));
      const senderForm = (this.recordState.get(direct) & DERIVED) !== 0;
      if (senderForm) this.senders.add(owner);
      // A sender's record is delivered with its account prefixed: compared with the logged line, which has none.
      const logged = senderForm ? line.replace(`"uniqueId":${JSON.stringify(record.uniqueId)}`, `"uniqueId":${JSON.stringify(record.uniqueId.slice(owner.length + 1))}`) : line;
      this.apply(direct, logged, record, from);
      return true;
    }
    const candidates = this.owners
      .all()
      .map((owner) => this.lookup(`${owner}-${record.uniqueId}`))
      .filter((at) => at >= 0);
    if (candidates.length === 0) {
      this.noteUnknown(record, from);
      return false;
    }
    const chosen = this.choose(candidates, hash32(line));
    if (chosen < 0) this.pending.push({ line, record, from, candidates });
    else this.apply(chosen, line, record, from);
    return true;
  }

  /**
   * After the last data object: the pipeline's account, when not given, is the one account of the backup never
   * seen as a sender's prefix; the held deliveries go to its records (or count as unexpected when it is unknown).
   */
  finishDeliveries(): void {
    if (this.home.account === undefined) {
      const candidates = [...this.owners.all()].filter((owner) => !this.senders.has(owner));
      if (this.senders.size > 0 && candidates.length === 1) this.home = { account: candidates[0] as string, from: 'data' };
    }
    for (const { line, record, from, candidates } of this.pending.splice(0)) {
      const home = candidates.find((at) => this.owners.name(this.recordOwner.get(at)) === this.home.account);
      if (home === undefined) this.noteUnknown(record, from);
      else this.apply(home, line, record, from);
    }
  }

  /**
   * A failed event of the error prefix: the record at `index` of the log event (`undefined`: every record of it,
   * as for a whole failed CloudWatch record). Returns whether it names an expected record.
   */
  quarantine(eventKey: string, index: number | undefined, reason: string): boolean {
    const { hi, lo } = hash64(eventKey);
    const event = this.events.get(hi, lo);
    let matched = false;
    if (event >= 0) {
      const first = this.eventFirst.get(event);
      const end = first + this.eventCount.get(event);
      for (let at = first; at < end; at++) {
        if (index !== undefined && this.recordIndex.get(at) !== index) continue;
        // The first reason a record was quarantined for is the one reported.
        if ((this.recordState.get(at) & QUARANTINED) === 0) this.recordReason.set(at, this.reasons.code(reason));
        this.addState(at, QUARANTINED);
        matched = true;
      }
    }
    if (!matched) this.quarantinedOutside += 1;
    return matched;
  }

  /** A delivered uniqueId not expected was found among the backup's log events outside the window. */
  explainOutsideWindow(uniqueId: string): boolean {
    return this.unknown.explain(uniqueId);
  }

  /** Whether a delivered uniqueId is unexpected (noted, not explained). */
  isUnexpected(uniqueId: string): boolean {
    return this.unknown.isUnexplained(uniqueId);
  }

  /** The data objects (by number) that hold delivered records not explained (yet). */
  objectsWithUnexpected(): Set<number> {
    return this.unknown.objectsWithUnexplained();
  }

  /** The records of the log event that need action (missing or refused): their positions in its array. */
  indexesNeedingAction(eventKey: string): number[] {
    const { hi, lo } = hash64(eventKey);
    const event = this.events.get(hi, lo);
    if (event < 0) return [];
    const indexes: number[] = [];
    this.forEachRecordOf(event, (at) => {
      if (this.needsAction(at)) indexes.push(this.recordIndex.get(at));
    });
    return indexes;
  }

  /** The outcome of the record at `index` of the log event. */
  outcomeOf(eventKey: string, index: number): 'delivered' | 'refused' | 'quarantined' | 'missing' | undefined {
    const { hi, lo } = hash64(eventKey);
    const event = this.events.get(hi, lo);
    let outcome: ReturnType<ReconcileLedger['outcomeOf']>;
    if (event >= 0) {
      this.forEachRecordOf(event, (at) => {
        if (this.recordIndex.get(at) === index) outcome = outcomeOfState(this.recordState.get(at));
      });
    }
    return outcome;
  }

  /** The backup objects (by number) that hold log events with records needing action. */
  objectsNeedingAction(): Set<number> {
    const objects = new Set<number>();
    this.forEachEventNeedingAction((event) => objects.add(this.eventObject.get(event)));
    return objects;
  }

  /** The time span (until excluded) and log groups of the log events with records needing action; undefined when none. */
  recoverySpan(): RecoverySpan | undefined {
    let since = Number.POSITIVE_INFINITY;
    let until = Number.NEGATIVE_INFINITY;
    const groups = new Set<number>();
    this.forEachEventNeedingAction((event) => {
      since = Math.min(since, this.eventTime.get(event));
      until = Math.max(until, this.eventTime.get(event) + 1);
      groups.add(this.eventGroup.get(event));
    });
    if (groups.size === 0) return undefined;
    return { since, until, logGroups: [...groups].map((group) => this.logGroups.name(group)).sort() };
  }

  summary(): LedgerSummary {
    const totals = this.groups.map((group) => ({ ...emptyTotals(), duplicated: group.duplicated, outsideWindow: group.outsideWindow }));
    for (let at = 0; at < this.recordTotal; at++) {
      const state = this.recordState.get(at);
      const value = this.recordValue.get(at);
      const count = totals[this.recordGroup.get(at)] as MutableTotals;
      count.expected += 1;
      count.expectedValue += value;
      if ((state & CONFLICTING) !== 0) {
        count.conflicting += 1;
        count.conflictingValue += value;
      }
      const outcome = outcomeOfState(state);
      count[outcome] += 1;
      count[`${outcome}Value`] += value;
      if (outcome === 'quarantined') {
        const reason = (count.quarantinedByReason[this.reasons.name(this.recordReason.get(at))] ??= { records: 0, value: 0 });
        reason.records += 1;
        reason.value += value;
      }
    }
    this.unknown.forEach((group, value, explained) => {
      const count = totals[group] as MutableTotals;
      if (explained) count.outsideWindow += 1;
      else {
        count.unexpected += 1;
        count.unexpectedValue += value;
      }
    });
    const groups: GroupTotals[] = this.groups
      .map((group, i) => ({ group, totals: totals[i] as MutableTotals }))
      .sort((a, b) => (a.group.sortKey < b.group.sortKey ? -1 : 1))
      .map(({ group, totals: count }) => {
        const sorted = emptyTotals();
        addTotals(sorted, count);
        return { ...group.key, ...sorted };
      });
    const total = emptyTotals();
    for (const group of groups) addTotals(total, group);
    return {
      groups,
      total,
      events: this.eventTotal,
      repeatedEvents: this.repeatedEvents,
      quarantinedOutsideWindow: this.quarantinedOutside,
      conflicts: this.conflicts,
      homeAccount: this.home,
    };
  }

  private apply(at: number, line: string, record: DeliveredRecord, from: DeliveredFrom): void {
    const group = this.groups[this.recordGroup.get(at)] as (typeof this.groups)[number];
    if ((this.recordState.get(at) & (DELIVERED | REFUSED)) !== 0) group.duplicated += 1;
    if (this.recordLine.get(at) !== hash32(line)) {
      this.markConflict(at, record.uniqueId, from.object, 'delivered with content other than the log event gives', record.meterValue);
    }
    this.addState(at, from.refused ? REFUSED : DELIVERED);
  }

  /** Of several accounts' records under one plain uniqueId: the one whose content it has, else the pipeline account's. */
  private choose(candidates: readonly number[], lineHash: number): number {
    if (candidates.length === 1) return candidates[0] as number;
    const same = candidates.filter((at) => this.recordLine.get(at) === lineHash);
    if (same.length === 1) return same[0] as number;
    const home = candidates.find((at) => this.owners.name(this.recordOwner.get(at)) === this.home.account);
    return home ?? -1;
  }

  private noteUnknown(record: DeliveredRecord, from: DeliveredFrom): void {
    const owner = /^(\d{12})-/.exec(record.uniqueId)?.[1] ?? UNKNOWN;
    this.unknown.add(record.uniqueId, { group: this.groupFor(record.meterApiName, record.customerId, owner), value: record.meterValue, object: from.objectNumber });
  }

  private lookup(identity: string): number {
    const { hi, lo } = hash64(identity);
    return this.uniqueIds.get(hi, lo);
  }

  private addState(at: number, bits: number): void {
    this.recordState.set(at, this.recordState.get(at) | bits);
  }

  private needsAction(at: number): boolean {
    const outcome = outcomeOfState(this.recordState.get(at));
    return outcome === 'missing' || outcome === 'refused';
  }

  private forEachRecordOf(event: number, visit: (at: number) => void): void {
    const first = this.eventFirst.get(event);
    const end = first + this.eventCount.get(event);
    for (let at = first; at < end; at++) visit(at);
  }

  private forEachEventNeedingAction(visit: (event: number) => void): void {
    for (let event = 0; event < this.eventTotal; event++) {
      let needed = false;
      this.forEachRecordOf(event, (at) => {
        needed ||= this.needsAction(at);
      });
      if (needed) visit(event);
    }
  }

  private markConflict(at: number, uniqueId: string, object: string, problem: string, deliveredValue?: number): void {
    if ((this.recordState.get(at) & CONFLICTING) !== 0) return;
    this.addState(at, CONFLICTING);
    if (this.conflicts.length < this.options.exampleLimit) {
      this.conflicts.push({ uniqueId, object, problem, expectedValue: this.recordValue.get(at), ...(deliveredValue === undefined ? {} : { deliveredValue }) });
    }
  }

  private selected(meterApiName: string): boolean {
    return this.options.meters.length === 0 || this.options.meters.includes(meterApiName);
  }

  private groupFor(meterApiName: string, customerId: string, account: string): number {
    const by = this.options.by;
    const key = by === 'customer' ? `${meterApiName}\n${customerId}` : by === 'account' ? `${meterApiName}\n${account}` : meterApiName;
    let group = this.groupOf.get(key);
    if (group === undefined) {
      group = this.groups.length;
      this.groups.push({ key: { meterApiName, ...(by === 'customer' ? { customerId } : {}), ...(by === 'account' ? { account } : {}) }, sortKey: key, duplicated: 0, outsideWindow: 0 });
      this.groupOf.set(key, group);
    }
    return group;
  }
}

/** One outcome per record, by precedence: delivered, else refused, else quarantined, else missing. */
function outcomeOfState(state: number): 'delivered' | 'refused' | 'quarantined' | 'missing' {
  if ((state & DELIVERED) !== 0) return 'delivered';
  if ((state & REFUSED) !== 0) return 'refused';
  if ((state & QUARANTINED) !== 0) return 'quarantined';
  return 'missing';
}

