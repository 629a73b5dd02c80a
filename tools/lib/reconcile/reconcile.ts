/**
 * Reconcile a time window: the expected meter records (every log event of the window in the source backup,
 * through the transform's rules) against what was delivered (data objects), quarantined (the error prefix) and
 * refused (Amberflo's reason objects). I/O at the edges: objects are read one at a time into the ledger, which
 * keeps a few bytes per record.
 */
import { extractRecord } from '../../../transform/extract.ts';
import type { CloudWatchLogsPayload } from '../../../transform/types.ts';
import { readAmberfloFailures } from '../amberflo/failed-requests.ts';
import { objectNameTime, parseErrorObject } from '../delivery/object-layout.ts';
import type { ObjectStore } from '../delivery/object-store.ts';
import { failedEventsOf } from '../error-prefix/failures.ts';
import { backupDates, mayHoldWindow } from '../replay/source-backup.ts';
import { ReconcileLedger } from './ledger.ts';
import type { SourceEvent, TransformedEvent } from './local-transform.ts';
import { type DeliveredRecord, type GroupBy, type LedgerSummary, type RecoverySpan, type Verdict, type VerdictPolicy, judge } from './verdict.ts';
import { type ListedLocation, listLocation, namingReads, parseDeliveredLine, readPayloads, readText, windowKeys } from './objects.ts';

/** A prefix of objects in a store; `template` (e.g. `ingest/records/!{timestamp:yyyy-MM-dd}/`) narrows the listing. */
export interface ObjectLocation extends ListedLocation {
  readonly description: string;
}

export interface ReconcileWindow {
  /** Log events with a timestamp in since..until (until excluded) are expected. */
  readonly since: number;
  readonly until: number;
  /** Only events of these log groups (all when empty). */
  readonly logGroups: readonly string[];
  /**
   * Data and error objects whose name time (Firehose's arrival of their oldest record) is in this range are
   * read: the window widened by the buffer intervals before, and up to the time replays may have delivered.
   */
  readonly readFrom: number;
  readonly readUntil: number;
  /** How far apart the names of a record's backup object and data object can be (both buffer intervals and an invocation). */
  readonly objectSpanMs: number;
  /**
   * A window of arrival time instead (the continuous reconcile's): every event of the backup objects named in
   * from..until (until excluded) is expected, whatever its log time; `since` and `until` then only date the report.
   */
  readonly arrival?: { readonly from: number; readonly until: number };
}

export interface ReconcileSources {
  readonly backup: ObjectLocation;
  readonly data: ObjectLocation;
  readonly errors: ObjectLocation;
  /** Amberflo's reason objects (`failed-requests/`), when readable. */
  readonly amberflo?: ObjectLocation;
}

/** The transform's rules, run on log events of the backup (LocalTransform runs the bundle; tests inject their own). */
export interface Transformer {
  /** The events transformed, in input order; derived uniqueIds plain (HOME_ACCOUNT_ID unset). */
  transform(events: readonly SourceEvent[]): Promise<TransformedEvent[]>;
}

export interface ReconcileOptions {
  readonly window: ReconcileWindow;
  readonly by: GroupBy;
  readonly meters: readonly string[];
  /** The pipeline's account (HOME_ACCOUNT_ID), when the user gave it; otherwise inferred from the delivered uniqueIds. */
  readonly homeAccount?: string | undefined;
  readonly policy: VerdictPolicy;
  /** The transform's record prefix (METER_RECORD_PREFIX), to name the meter of a rejected record. */
  readonly recordPrefix: string;
  /** How many records are listed per kind (to recover, unexpected, conflicting). */
  readonly listLimit: number;
  readonly onProgress?: (message: string) => void;
}

/** A record that needs action: missing (replay it), or refused by Amberflo (fix what it objects to, then replay). */
export interface RecordToRecover {
  readonly outcome: 'missing' | 'refused';
  readonly uniqueId?: string;
  readonly meterApiName: string;
  readonly customerId: string;
  readonly meterValue?: number;
  /** What the transform makes of it today: `valid`, or its reject reason. */
  readonly verdict: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly eventId: string;
  readonly timestamp: number;
  readonly index: number;
  readonly backupObject: string;
}

/** A delivered record the backup cannot explain. */
export interface UnexpectedRecord extends DeliveredRecord {
  readonly object: string;
}

export interface ObjectsRead {
  readonly listed: number;
  readonly read: number;
}

export interface ReconcileReport extends LedgerSummary {
  readonly verdict: Verdict;
  /** The backup objects read: those whose key date is after `after` and before `before` (CloudWatch Logs' ingestion latitude). */
  readonly backupObjects: ObjectsRead & { readonly after: number; readonly before: number };
  readonly dataObjects: ObjectsRead;
  readonly errorObjects: ObjectsRead;
  /** Amberflo's reason objects read, and how many name a data object that was read. */
  readonly amberflo?: { readonly reasons: number; readonly namingDataObjects: number };
  /** Missing and refused records (up to listLimit), with their log events. */
  readonly toRecover: readonly RecordToRecover[];
  /** The log events with missing or refused records: their time span and log groups, what `replay --from-backup` takes. */
  readonly recoverySpan?: RecoverySpan;
  readonly unexpectedRecords: readonly UnexpectedRecord[];
  /** Error records whose raw data names no log event (undecodable): cannot be matched to a record. */
  readonly unattributableErrorRecords: number;
  /** A window of arrival time: how its backup objects lie in time and what they hold per subscription filter. */
  readonly arrivalBackup?: ArrivalBackup;
}

/** The `policyLevel` of a payload that came through an account-level subscription filter policy. */
const ACCOUNT_LEVEL_POLICY = 'ACCOUNT_LEVEL_POLICY';

/** Log events a window's backup objects hold for one subscription filter, as CloudWatch Logs delivered them (re-ingested pieces left out). */
export interface SourceEventCount {
  /** The account whose log group it is (the payload's `owner`). */
  readonly owner: string;
  /** The log group; absent for an account-level subscription filter policy (counted over every log group). */
  readonly logGroup?: string;
  /** The filter the payload names (`''` when it names none). */
  readonly filter: string;
  readonly events: number;
}

export interface ArrivalBackup {
  /** Name times of the window's backup objects. */
  readonly named: readonly number[];
  /** The name time of the newest backup object named before the window. */
  readonly namedBefore?: number;
  /** Log events of the window's objects per owner, log group and subscription filter, as CloudWatch Logs delivered them. */
  readonly events: readonly SourceEventCount[];
}

/** One expected record of a transformed log event, in array order. */
export interface ExpectedRecord {
  readonly index: number;
  readonly meterApiName: string;
  readonly customerId: string;
  /** `valid`, or why the transform rejects or fails it. */
  readonly verdict: string;
  readonly uniqueId?: string;
  /** The transform derived the uniqueId from the log event (the record gave none). */
  readonly derived?: boolean;
  readonly line?: string;
  readonly meterValue?: number;
}

const UNKNOWN = '-';
const EVENTS_PER_INVOCATION = 2_000;
const MESSAGE_BYTES_PER_INVOCATION = 1_000_000;

/**
 * The records of a transformed log event, each at its position in the event's array (0 for a single record):
 * the valid lines fill the positions the rejects leave free. A rejected record's meter and customer are read
 * from its log line when they are strings (otherwise `-`), its meterValue when it is a number.
 */
export function expectedRecords(transformed: TransformedEvent, recordPrefix: string): ExpectedRecord[] {
  const { lines, rejects, failure, event } = transformed;
  const logged = (index: number): { meterApiName: string; customerId: string; meterValue?: number } => {
    const found = extractRecord(event.logEvent.message, recordPrefix);
    const value = found.kind === 'record' ? (Array.isArray(found.value) ? found.value[index] : found.value) : undefined;
    const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const text = (field: unknown): string => (typeof field === 'string' && field.trim() !== '' ? field : UNKNOWN);
    const meterValue = fields['meterValue'];
    return { meterApiName: text(fields['meterApiName']), customerId: text(fields['customerId']), ...(typeof meterValue === 'number' ? { meterValue } : {}) };
  };
  if (failure !== undefined) return [{ index: 0, ...logged(0), verdict: failure }];
  const rejected = new Map(rejects.map((reject) => [reject.index ?? 0, reject.reason]));
  const records: ExpectedRecord[] = [];
  let line = 0;
  for (let index = 0; index < lines.length + rejected.size; index++) {
    const reason = rejected.get(index);
    if (reason !== undefined) {
      records.push({ index, ...logged(index), verdict: reason });
      continue;
    }
    const text = lines[line++] as string;
    const record = JSON.parse(text) as { uniqueId: string; meterApiName: string; customerId: string; meterValue: number };
    const derived = record.uniqueId === event.logEvent.id || (record.uniqueId.startsWith(`${event.logEvent.id}-`) && /^\d+$/.test(record.uniqueId.slice(event.logEvent.id.length + 1)));
    records.push({ index, meterApiName: record.meterApiName, customerId: record.customerId, verdict: 'valid', uniqueId: record.uniqueId, derived, line: text, meterValue: record.meterValue });
  }
  return records;
}

export async function reconcile(sources: ReconcileSources, transform: Transformer, options: ReconcileOptions): Promise<ReconcileReport> {
  const ledger = new ReconcileLedger({ by: options.by, meters: options.meters, exampleLimit: options.listLimit, homeAccount: options.homeAccount });
  const progress = options.onProgress ?? (() => {});
  const { window } = options;
  const { arrival } = window;
  const inGroups = (event: SourceEvent): boolean => window.logGroups.length === 0 || window.logGroups.includes(event.source.logGroup);
  const inWindow =
    arrival === undefined
      ? (event: SourceEvent): boolean => event.logEvent.timestamp >= window.since && event.logEvent.timestamp < window.until && inGroups(event)
      : (event: SourceEvent): boolean => event.arrival >= arrival.from && event.arrival < arrival.until && inGroups(event);

  // Amberflo's reasons first, so a data object it refused is known when its records are read.
  const refusedObjects = new Set<string>();
  let reasons = 0;
  if (sources.amberflo !== undefined) {
    for (const failure of await readAmberfloFailures(namingReads(sources.amberflo.store), sources.amberflo.prefix)) {
      reasons += 1;
      if (failure.ingestKey !== undefined) refusedObjects.add(failure.ingestKey);
    }
  }

  // The backup objects near any object read: those of the window, before it, and near the data objects.
  const allBackupKeys = await listLocation(sources.backup, { from: window.readFrom - window.objectSpanMs, until: window.readUntil + window.objectSpanMs, objectSpanMs: window.objectSpanMs });
  const backupKeys = allBackupKeys.filter((key) => (arrival === undefined ? mayHoldWindow(key.slice(sources.backup.prefix.length), window) : namedIn(key, arrival)));
  const sourceCounts = new Map<string, SourceEventCount>();
  await forEachEvent(sources.backup.store, backupKeys, inWindow, transform, (done) => progress(`source backup objects read ${done}/${backupKeys.length}`), (transformed, object) => {
    const { source, logEvent } = transformed.event;
    if (!ledger.openLogEvent(eventKeyOf(transformed.event), { object, timestamp: logEvent.timestamp, logGroup: source.logGroup, owner: source.owner })) return;
    for (const record of expectedRecords(transformed, options.recordPrefix)) ledger.addRecord(record);
  }, arrival === undefined ? undefined : (payload) => countSourcePayload(sourceCounts, payload));

  const errorKeys = await windowKeys(sources.errors, window);
  let unattributable = 0;
  for (const [position, key] of errorKeys.keys.entries()) {
    const records = parseErrorObject(await readText(sources.errors.store, key), sources.errors.store.locate(key));
    records.forEach((record, recordIndex) => {
      for (const failed of failedEventsOf({ record, objectKey: key, recordIndex })) {
        if (failed.source === undefined || failed.logEvent === undefined) {
          unattributable += 1;
          continue;
        }
        // Control messages carry no meter records; the transform drops them.
        if (failed.source.logGroup === '') continue;
        const eventKey = ReconcileLedger.eventKey(failed.source.owner, failed.source.logGroup, failed.source.logStream, failed.logEvent.id);
        ledger.quarantine(eventKey, failed.origin === 'rejects' ? (failed.index ?? 0) : undefined, failed.reason);
      }
    });
    progress(`error objects read ${position + 1}/${errorKeys.keys.length}`);
  }

  const dataKeys = await windowKeys(sources.data, window);
  let namingDataObjects = 0;
  let deliveredLines = 0;
  for (const [objectNumber, key] of dataKeys.keys.entries()) {
    const refused = refusedObjects.has(key);
    if (refused) namingDataObjects += 1;
    const object = sources.data.store.locate(key);
    for (const line of (await readText(sources.data.store, key)).split('\n')) {
      if (line === '') continue;
      deliveredLines += 1;
      ledger.deliver(line, parseDeliveredLine(line, object), { object, objectNumber, refused });
    }
    progress(`data objects read ${objectNumber + 1}/${dataKeys.keys.length} · delivered records ${deliveredLines}`);
  }
  ledger.finishDeliveries();
  await explainOutsideWindow(sources.backup.store, allBackupKeys, dataKeys.keys, ledger, transform, options, inWindow);

  const summary = ledger.summary();
  const toRecover = await listToRecover(sources.backup.store, backupKeys, ledger, transform, options);
  const recoverySpan = ledger.recoverySpan();
  const dates = backupDates(window);
  return {
    ...summary,
    verdict: judge(summary.total, summary.events, options.policy),
    backupObjects: { listed: allBackupKeys.length, read: backupKeys.length, after: dates.after, before: dates.before as number },
    dataObjects: { listed: dataKeys.listed, read: dataKeys.keys.length },
    errorObjects: { listed: errorKeys.listed, read: errorKeys.keys.length },
    ...(sources.amberflo === undefined ? {} : { amberflo: { reasons, namingDataObjects } }),
    toRecover,
    ...(recoverySpan === undefined ? {} : { recoverySpan }),
    unexpectedRecords: await listUnexpected(sources.data.store, dataKeys.keys, ledger, options.listLimit),
    unattributableErrorRecords: unattributable,
    ...(arrival === undefined ? {} : { arrivalBackup: arrivalBackupOf(allBackupKeys, backupKeys, arrival, sourceCounts) }),
  };
}

/**
 * Counts a backup payload's events under the filter it came through (an event reaches the stream once per filter
 * that matched it). Pieces the transform re-ingested repeat events of a payload already counted: left out.
 */
function countSourcePayload(counts: Map<string, SourceEventCount>, payload: Partial<CloudWatchLogsPayload>): void {
  if (typeof payload.reingestGeneration === 'number' || !Array.isArray(payload.logEvents)) return;
  const owner = String(payload.owner ?? '');
  const accountPolicy = payload.policyLevel === ACCOUNT_LEVEL_POLICY;
  // An account-level policy's ForwardedLogEvents has no log group: its events are counted per filter alone.
  const logGroup = accountPolicy ? undefined : String(payload.logGroup ?? '');
  const filters = Array.isArray(payload.subscriptionFilters) && payload.subscriptionFilters.length > 0 ? payload.subscriptionFilters.map(String) : [''];
  for (const filter of filters) {
    const key = JSON.stringify([owner, logGroup ?? null, filter]);
    const events = (counts.get(key)?.events ?? 0) + payload.logEvents.length;
    counts.set(key, { owner, ...(logGroup === undefined ? {} : { logGroup }), filter, events });
  }
}

function arrivalBackupOf(allKeys: readonly string[], windowKeys: readonly string[], arrival: { readonly from: number }, counts: Map<string, SourceEventCount>): ArrivalBackup {
  const times = (keys: readonly string[]) => keys.map(objectNameTime).filter((time): time is number => time !== undefined);
  const namedBefore = times(allKeys).reduce<number | undefined>((newest, time) => (time < arrival.from && (newest === undefined || time > newest) ? time : newest), undefined);
  return {
    named: times(windowKeys),
    ...(namedBefore === undefined ? {} : { namedBefore }),
    events: [...counts.values()],
  };
}

function namedIn(key: string, range: { readonly from: number; readonly until: number }): boolean {
  const time = objectNameTime(key);
  return time !== undefined && time >= range.from && time < range.until;
}

function eventKeyOf({ source, logEvent }: SourceEvent): string {
  return ReconcileLedger.eventKey(source.owner, source.logGroup, source.logStream, logEvent.id);
}

/**
 * Delivered records no expected record has are explained when the backup holds their log events outside the
 * window: the backup objects named near the data objects that hold them are read, and their other events transformed.
 */
async function explainOutsideWindow(
  store: ObjectStore,
  backupKeys: readonly string[],
  dataKeys: readonly string[],
  ledger: ReconcileLedger,
  transform: Transformer,
  options: ReconcileOptions,
  inWindow: (event: SourceEvent) => boolean,
): Promise<void> {
  const times = [...ledger.objectsWithUnexpected()].map((object) => objectNameTime(dataKeys[object] as string));
  const span = options.window.objectSpanMs;
  const near = backupKeys.filter((key) => {
    const time = objectNameTime(key);
    return times.some((at) => at === undefined || time === undefined || Math.abs(at - time) <= span);
  });
  await forEachEvent(store, near, (event) => !inWindow(event), transform, () => {}, (transformed) => {
    for (const line of transformed.lines) {
      const { uniqueId } = JSON.parse(line) as { uniqueId: string };
      ledger.explainOutsideWindow(uniqueId);
      ledger.explainOutsideWindow(`${transformed.event.source.owner}-${uniqueId}`);
    }
  });
}

/** The unexpected records, read again from the data objects that hold them. */
async function listUnexpected(store: ObjectStore, dataKeys: readonly string[], ledger: ReconcileLedger, limit: number): Promise<UnexpectedRecord[]> {
  const listed = new Map<string, UnexpectedRecord>();
  // Noted in the order the data objects were read.
  for (const object of ledger.objectsWithUnexpected()) {
    const key = dataKeys[object] as string;
    for (const line of (await readText(store, key)).split('\n')) {
      if (listed.size >= limit) return [...listed.values()];
      if (line === '') continue;
      const record = parseDeliveredLine(line, store.locate(key));
      if (ledger.isUnexpected(record.uniqueId) && !listed.has(record.uniqueId)) listed.set(record.uniqueId, { ...record, object: store.locate(key) });
    }
  }
  return [...listed.values()];
}

/**
 * Every event of the given backup objects that `select` takes, transformed, with the number of the object it was
 * found in. Objects are read one at a time; events go to the transform in invocations of bounded size.
 */
async function forEachEvent(
  store: ObjectStore,
  keys: readonly string[],
  select: (event: SourceEvent, object: number) => boolean,
  transform: Transformer,
  onObject: (done: number) => void,
  onEvent: (transformed: TransformedEvent, object: number) => void,
  onPayload?: (payload: Partial<CloudWatchLogsPayload>) => void,
): Promise<void> {
  let batch: SourceEvent[] = [];
  let objects: number[] = [];
  let batchKeys = new Set<string>();
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const transformed = await transform.transform(batch);
    transformed.forEach((result, i) => onEvent(result, objects[i] as number));
    batch = [];
    objects = [];
    batchKeys = new Set();
    bytes = 0;
  };
  for (const [object, key] of keys.entries()) {
    const arrival = objectNameTime(key);
    for (const payload of await readPayloads(store, key)) {
      const fields = payload as Partial<CloudWatchLogsPayload>;
      // Control messages carry no log events; rejects payloads re-ingested by the transform repeat events of the backup.
      if (fields.messageType !== 'DATA_MESSAGE' || !Array.isArray(fields.logEvents)) continue;
      onPayload?.(fields);
      const source = { owner: String(fields.owner ?? ''), logGroup: String(fields.logGroup ?? ''), logStream: String(fields.logStream ?? ''), subscriptionFilters: fields.subscriptionFilters ?? [] };
      for (const logEvent of fields.logEvents) {
        const event = { source, logEvent, arrival: arrival ?? logEvent.timestamp };
        if (!select(event, object)) continue;
        // An event repeated within one invocation would mix its outputs; a repeat across invocations is the ledger's to count.
        const eventKey = eventKeyOf(event);
        if (batchKeys.has(eventKey)) await flush();
        batch.push(event);
        objects.push(object);
        batchKeys.add(eventKey);
        bytes += logEvent.message.length;
        if (batch.length >= EVENTS_PER_INVOCATION || bytes >= MESSAGE_BYTES_PER_INVOCATION) await flush();
      }
    }
    onObject(object + 1);
  }
  await flush();
}

/** The missing and refused records with their log events: the backup objects that hold them are read and transformed again. */
async function listToRecover(
  store: ObjectStore,
  keys: readonly string[],
  ledger: ReconcileLedger,
  transform: Transformer,
  options: ReconcileOptions,
): Promise<RecordToRecover[]> {
  const objects = ledger.objectsNeedingAction();
  const chosen = keys.filter((_, object) => objects.has(object));
  const listed: RecordToRecover[] = [];
  const wanted = new Map<string, number[]>();
  // Events outside the window have no records in the ledger, so none needs action.
  const chooseEvent = (event: SourceEvent): boolean => {
    const key = eventKeyOf(event);
    if (wanted.size >= options.listLimit || wanted.has(key)) return false;
    const indexes = ledger.indexesNeedingAction(key);
    if (indexes.length > 0) wanted.set(key, indexes);
    return indexes.length > 0;
  };
  await forEachEvent(store, chosen, chooseEvent, transform, () => {}, (transformed, object) => {
    const { source, logEvent } = transformed.event;
    const key = eventKeyOf(transformed.event);
    const indexes = wanted.get(key) ?? [];
    for (const record of expectedRecords(transformed, options.recordPrefix)) {
      if (!indexes.includes(record.index) || listed.length >= options.listLimit) continue;
      listed.push({
        outcome: ledger.outcomeOf(key, record.index) === 'refused' ? 'refused' : 'missing',
        ...(record.uniqueId === undefined ? {} : { uniqueId: record.uniqueId }),
        meterApiName: record.meterApiName,
        customerId: record.customerId,
        ...(record.meterValue === undefined ? {} : { meterValue: record.meterValue }),
        verdict: record.verdict,
        logGroup: source.logGroup,
        logStream: source.logStream,
        eventId: logEvent.id,
        timestamp: logEvent.timestamp,
        index: record.index,
        backupObject: store.locate(chosen[object] as string),
      });
    }
  });
  return listed;
}
