/**
 * Firehose's checks on a transformation Lambda's response, as a pure function: the serialized response
 * size, its shape, and one result per input recordId with a valid status.
 */
// @ts-nocheck


/** Lambda's synchronous response payload limit. */
export const MAX_LAMBDA_RESPONSE_BYTES = 6 * 1024 * 1024;

export const ERROR_CODES = {
  functionError: 'Lambda.FunctionError',
  jsonProcessing: 'Lambda.JsonProcessingException',
  missingRecordId: 'Lambda.MissingRecordId',
  duplicatedRecordId: 'Lambda.DuplicatedRecordId',
  processingFailed: 'Lambda.ProcessingFailedStatus',
} as const;

export type RecordOutcome =
  | { readonly result: 'Ok'; readonly data: Buffer }
  | { readonly result: 'Dropped' }
  | { readonly result: 'Failed'; readonly errorCode: string; readonly errorMessage: string };

/** The whole invocation failed: Firehose retries it, then fails every record with this code. */
export interface InvocationFailure {
  readonly kind: 'invocation-failed';
  readonly errorCode: string;
  readonly errorMessage: string;
}

export interface CheckedResponse {
  readonly kind: 'checked';
  /** One outcome per input recordId, in input order. */
  readonly outcomes: ReadonlyMap<string, RecordOutcome>;
}

const STATUSES = new Set(['Ok', 'Dropped', 'ProcessingFailed']);
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Checks a serialized response (what Lambda hands Firehose) against the input recordIds. */
export function checkTransformationResponse(recordIds: readonly string[], responseJson: string): InvocationFailure | CheckedResponse {
  const size = Buffer.byteLength(responseJson);
  if (size > MAX_LAMBDA_RESPONSE_BYTES) {
    return failure(
      ERROR_CODES.functionError,
      `Response payload size (${size} bytes) exceeded maximum allowed payload size (${MAX_LAMBDA_RESPONSE_BYTES} bytes).`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(responseJson);
  } catch {
    parsed = undefined;
  }
  const records = (parsed as { records?: unknown } | undefined)?.records;
  if (!Array.isArray(records)) {
    return failure(
      ERROR_CODES.jsonProcessing,
      'There was an error parsing returned records from the Lambda function. Ensure that the returned records follow the status model required by Firehose.',
    );
  }
  const expected = new Set(recordIds);
  const returned = new Map<string, unknown[]>();
  for (const record of records) {
    const recordId = (record as { recordId?: unknown } | null)?.recordId;
    const result = (record as { result?: unknown } | null)?.result;
    const data = (record as { data?: unknown } | null)?.data;
    if (typeof recordId !== 'string' || !STATUSES.has(String(result)) || (result === 'Ok' && (typeof data !== 'string' || !BASE64.test(data)))) {
      return failure(
        ERROR_CODES.functionError,
        'Check your function and make sure the output is in required format. In addition to that, make sure the processed records contain valid result status of Dropped, Ok, or ProcessingFailed',
      );
    }
    if (!expected.has(recordId)) continue;
    returned.set(recordId, [...(returned.get(recordId) ?? []), record]);
  }
  const outcomes = new Map<string, RecordOutcome>();
  for (const recordId of recordIds) {
    const matches = returned.get(recordId) ?? [];
    const only = matches[0] as { result: string; data?: string } | undefined;
    if (only === undefined) {
      outcomes.set(recordId, failed(ERROR_CODES.missingRecordId, `No transformed record was returned for recordId ${recordId}.`));
    } else if (matches.length > 1) {
      outcomes.set(recordId, failed(ERROR_CODES.duplicatedRecordId, `recordId ${recordId} was returned ${matches.length} times.`));
    } else if (only.result === 'Ok') {
      outcomes.set(recordId, { result: 'Ok', data: Buffer.from(only.data ?? '', 'base64') });
    } else if (only.result === 'Dropped') {
      outcomes.set(recordId, { result: 'Dropped' });
    } else {
      outcomes.set(recordId, failed(ERROR_CODES.processingFailed, 'The Lambda function returned ProcessingFailed for this record.'));
    }
  }
  return { kind: 'checked', outcomes };
}

function failure(errorCode: string, errorMessage: string): InvocationFailure {
  return { kind: 'invocation-failed', errorCode, errorMessage };
}

function failed(errorCode: string, errorMessage: string): RecordOutcome {
  return { result: 'Failed', errorCode, errorMessage };
}
