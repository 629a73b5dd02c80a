/**
 * Reconcile a time window: the expected meter records (every log event of the window in the source backup,
 * through the transform's rules) against what was delivered (data objects), quarantined (the error prefix) and
 * refused (Amberflo's reason objects). I/O at the edges: objects are read one at a time into the ledger, which
 * keeps a few bytes per record.
 */
import { gunzipSync } from 'node:zlib';
import { extractRecord } from '../../../transform/extract.ts';
import type { CloudWatchLogsPayload } from '../../../transform/types.ts';
import { readAmberfloFailures } from '../amberflo/failed-requests.ts';
import { objectNameTime, parseErrorObject } from '../delivery/object-layout.ts';
import type { ObjectStore } from '../delivery/object-store.ts';
import { failedEventsOf, isGzip } from '../error-prefix/failures.ts';
import { mayHoldWindow, readBackupObject } from '../replay/source-backup.ts';
import { type LedgerSummary, type MissingSpan, ReconcileLedger } from './ledger.ts';
import type { LocalTransform, SourceEvent, TransformedEvent } from './local-transform.ts';

/** A prefix of objects in a store; `template` (e.g. `ingest/records/!{timestamp:yyyy-MM-dd}/`) narrows the listing. */
export interface ObjectLocation {
  readonly store: ObjectStore;
  /** Listed under this key prefix. */
  readonly prefix: string;
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
}

export interface ReconcileSources {
  readonly backup: ObjectLocation;
  readonly data: ObjectLocation;
  readonly errors: ObjectLocation;
  /** Amberflo's reason objects (`failed-requests/`), when readable. */
  readonly amberflo?: ObjectLocation;
}

export interface ReconcileOptions {
  readonly window: ReconcileWindow;
  readonly byCustomer: boolean;
  readonly meters: readonly string[];
  /** The transform's record prefix (METER_RECORD_PREFIX), to name the meter of a rejected record. */
  readonly recordPrefix: string;
  /** How many missing records are listed with their log events. */
  readonly listLimit: number;
  readonly onProgress?: (message: string) => void;
}

export interface MissingRecord {
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

export interface ObjectsRead {
  readonly listed: number;
  readonly read: number;
}

export interface ReconcileReport extends LedgerSummary {
  readonly backupObjects: ObjectsRead;
  readonly dataObjects: ObjectsRead;
  readonly errorObjects: ObjectsRead;
  /** Amberflo's reason objects read, and how many name a data object that was read. */
  readonly amberflo?: { readonly reasons: number; readonly namingDataObjects: number };
  readonly missingRecords: readonly MissingRecord[];
  /** The log events with missing records: their time span and log groups, what `replay --from-backup` takes. */
  readonly missingSpan?: MissingSpan;
  /** Error records whose raw data names no log event (undecodable): cannot be matched to a record. */
  readonly unattributableErrorRecords: number;
}

/** One expected record of a transformed log event, in array order. */
export interface ExpectedRecord {
  readonly index: number;
  readonly meterApiName: string;
  readonly customerId: string;
  /** `valid`, or why the transform rejects or fails it. */
  readonly verdict: string;
  readonly uniqueId?: string;
  readonly line?: string;
  readonly meterValue?: number;
}

const UNKNOWN = '-';
const EVENTS_PER_INVOCATION = 2_000;
const MESSAGE_BYTES_PER_INVOCATION = 1_000_000;

/**
 * The records of a transformed log event, each at its position in the event's array (0 for a single record):
 * the valid lines fill the positions the rejects leave free. A rejected record's meter and customer are read
 * from its log line when they are strings; otherwise `-`.
 */
export function expectedRecords(transformed: TransformedEvent, recordPrefix: string): ExpectedRecord[] {
  const { lines, rejects, failure, event } = transformed;
  const logged = (index: number): { meterApiName: string; customerId: string } => {
    const found = extractRecord(event.logEvent.message, recordPrefix);
    const value = found.kind === 'record' ? (Array.isArray(found.value) ? found.value[index] : found.value) : undefined;
    const fields = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    const text = (field: unknown): string => (typeof field === 'string' && field.trim() !== '' ? field : UNKNOWN);
    return { meterApiName: text(fields['meterApiName']), customerId: text(fields['customerId']) };
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
    records.push({ index, meterApiName: record.meterApiName, customerId: record.customerId, verdict: 'valid', uniqueId: record.uniqueId, line: text, meterValue: record.meterValue });
  }
  return records;
}

export async function reconcile(sources: ReconcileSources, transform: LocalTransform, options: ReconcileOptions): Promise<ReconcileReport> {
  const ledger = new ReconcileLedger({ byCustomer: options.byCustomer, meters: options.meters, exampleLimit: options.listLimit });
  const progress = options.onProgress ?? (() => {});
  const { window } = options;

  // Amberflo's reasons first, so a data object it refused is known when its records are read.
  const refusedObjects = new Set<string>();
  let reasons = 0;
  if (sources.amberflo !== undefined) {
    for (const failure of await readAmberfloFailures(sources.amberflo.store, sources.amberflo.prefix)) {
      reasons += 1;
      if (failure.ingestKey !== undefined) refusedObjects.add(failure.ingestKey);
    }
  }

  const backupKeys = (await sources.backup.store.list(sources.backup.prefix)).filter((key) => mayHoldWindow(key.slice(sources.backup.prefix.length), window));
  const backupListed = backupKeys.length;
  let expectedRecordsSeen = 0;
  await forEachWindowEvent(sources.backup.store, backupKeys, window, transform, (done) => progress(`source backup objects read ${done}/${backupKeys.length} · expected records ${expectedRecordsSeen}`), (transformed, object) => {
    const { source, logEvent } = transformed.event;
    if (!ledger.openLogEvent(ReconcileLedger.eventKey(source.logGroup, source.logStream, logEvent.id), { object, timestamp: logEvent.timestamp, logGroup: source.logGroup })) return;
    for (const record of expectedRecords(transformed, options.recordPrefix)) {
      expectedRecordsSeen += 1;
      ledger.addRecord({
        index: record.index,
        meterApiName: record.meterApiName,
        customerId: record.customerId,
        ...(record.uniqueId === undefined ? {} : { uniqueId: record.uniqueId, line: record.line as string, meterValue: record.meterValue as number }),
        ...(record.verdict === 'valid' ? {} : { reason: record.verdict }),
      });
    }
  });

  const errorKeys = await windowKeys(sources.errors, window);
  let unattributable = 0;
  for (const [position, key] of errorKeys.keys.entries()) {
    const records = parseErrorObject(textOf(await sources.errors.store.get(key)), sources.errors.store.locate(key));
    records.forEach((record, recordIndex) => {
      for (const failed of failedEventsOf({ record, objectKey: key, recordIndex })) {
        if (failed.source === undefined || failed.logEvent === undefined) {
          unattributable += 1;
          continue;
        }
        // Control messages carry no meter records; the transform drops them.
        if (failed.source.logGroup === '') continue;
        const eventKey = ReconcileLedger.eventKey(failed.source.logGroup, failed.source.logStream, failed.logEvent.id);
        ledger.quarantine(eventKey, failed.origin === 'rejects' ? (failed.index ?? 0) : undefined, failed.reason);
      }
    });
    progress(`error objects read ${position + 1}/${errorKeys.keys.length}`);
  }

  const dataKeys = await windowKeys(sources.data, window);
  let namingDataObjects = 0;
  let deliveredLines = 0;
  for (const [position, key] of dataKeys.keys.entries()) {
    const refused = refusedObjects.has(key);
    if (refused) namingDataObjects += 1;
    const where = sources.data.store.locate(key);
    for (const line of textOf(await sources.data.store.get(key)).split('\n')) {
      if (line === '') continue;
      deliveredLines += 1;
      ledger.deliver(line, parseDeliveredLine(line, where), where, refused);
    }
    progress(`data objects read ${position + 1}/${dataKeys.keys.length} · delivered records ${deliveredLines}`);
  }

  const summary = ledger.summary();
  const missingRecords = summary.total.missing === 0 ? [] : await listMissing(sources.backup.store, backupKeys, ledger, transform, options);
  const missingSpan = ledger.missingSpan();
  return {
    ...summary,
    backupObjects: { listed: backupListed, read: backupKeys.length },
    dataObjects: { listed: dataKeys.listed, read: dataKeys.keys.length },
    errorObjects: { listed: errorKeys.listed, read: errorKeys.keys.length },
    ...(sources.amberflo === undefined ? {} : { amberflo: { reasons, namingDataObjects } }),
    missingRecords,
    ...(missingSpan === undefined ? {} : { missingSpan }),
    unattributableErrorRecords: unattributable,
  };
}

/**
 * Every log event of the window in the given backup objects, transformed, with the number of the object it
 * was found in. Objects are read one at a time; events go to the transform in invocations of bounded size.
 */
async function forEachWindowEvent(
  store: ObjectStore,
  keys: readonly string[],
  window: ReconcileWindow,
  transform: LocalTransform,
  onObject: (done: number) => void,
  onEvent: (transformed: TransformedEvent, object: number) => void,
  chooseEvent: (event: SourceEvent, object: number) => boolean = () => true,
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
    for (const payload of await readBackupObject(store, key)) {
      const fields = payload as Partial<CloudWatchLogsPayload>;
      // Control messages carry no log events; rejects payloads re-ingested by the transform repeat events of the backup.
      if (fields.messageType !== 'DATA_MESSAGE' || !Array.isArray(fields.logEvents)) continue;
      const source = { owner: String(fields.owner ?? ''), logGroup: String(fields.logGroup ?? ''), logStream: String(fields.logStream ?? ''), subscriptionFilters: fields.subscriptionFilters ?? [] };
      if (window.logGroups.length > 0 && !window.logGroups.includes(source.logGroup)) continue;
      for (const logEvent of fields.logEvents) {
        if (!(logEvent.timestamp >= window.since && logEvent.timestamp < window.until)) continue;
        const event = { source, logEvent, arrival: arrival ?? logEvent.timestamp };
        // An event repeated within one invocation would mix its outputs; a repeat across invocations is the ledger's to count.
        const eventKey = ReconcileLedger.eventKey(source.logGroup, source.logStream, logEvent.id);
        if (batchKeys.has(eventKey)) await flush();
        if (!chooseEvent(event, object)) continue;
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

/** The missing records with their log events: the backup objects that hold them are read and transformed again. */
async function listMissing(store: ObjectStore, keys: readonly string[], ledger: ReconcileLedger, transform: LocalTransform, options: ReconcileOptions): Promise<MissingRecord[]> {
  const objects = ledger.objectsWithMissing();
  const chosen = keys.filter((_, object) => objects.has(object));
  const listed: MissingRecord[] = [];
  const wanted = new Map<string, number[]>();
  const keyOf = ({ source, logEvent }: SourceEvent): string => ReconcileLedger.eventKey(source.logGroup, source.logStream, logEvent.id);
  const chooseEvent = (event: SourceEvent): boolean => {
    const key = keyOf(event);
    if (wanted.size >= options.listLimit || wanted.has(key)) return false;
    const indexes = ledger.missingIndexes(key);
    if (indexes.length > 0) wanted.set(key, indexes);
    return indexes.length > 0;
  };
  await forEachWindowEvent(store, chosen, options.window, transform, () => {}, (transformed, object) => {
    const { source, logEvent } = transformed.event;
    const indexes = wanted.get(keyOf(transformed.event)) ?? [];
    for (const record of expectedRecords(transformed, options.recordPrefix)) {
      if (!indexes.includes(record.index) || listed.length >= options.listLimit) continue;
      listed.push({
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
  }, chooseEvent);
  return listed;
}

/** The keys under a location whose object name time is in the read window (keys without one are read too). */
async function windowKeys(location: ObjectLocation, window: ReconcileWindow): Promise<{ keys: string[]; listed: number }> {
  const all = await location.store.list(location.prefix);
  const keys = all.filter((key) => {
    const time = objectNameTime(key);
    return time === undefined || (time >= window.readFrom && time <= window.readUntil);
  });
  return { keys, listed: all.length };
}

function textOf(body: Buffer): string {
  return (isGzip(body) ? gunzipSync(body) : body).toString('utf8');
}

function parseDeliveredLine(line: string, where: string): { uniqueId: string; meterApiName: string; customerId: string; meterValue: number } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`${where}: a line is not JSON (is this the data prefix? it holds NDJSON meter records): ${line.slice(0, 80)}`);
  }
  const record = (value ?? {}) as Record<string, unknown>;
  if (typeof record['uniqueId'] !== 'string') throw new Error(`${where}: a line has no uniqueId: ${line.slice(0, 80)}`);
  return {
    uniqueId: record['uniqueId'],
    meterApiName: String(record['meterApiName'] ?? UNKNOWN),
    customerId: String(record['customerId'] ?? UNKNOWN),
    meterValue: typeof record['meterValue'] === 'number' ? record['meterValue'] : 0,
  };
}
