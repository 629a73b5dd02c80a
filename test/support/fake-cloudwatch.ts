/**
 * CloudWatch's ListMetrics and GetMetricData on loopback, in the wire protocol the SDK speaks (AWS JSON 1.0, target
 * `GraniteServiceVersion20100801.<Operation>`), serving per-minute series of AWS/Logs ForwardedLogEvents. No npm
 * package emulates CloudWatch, so this answers what the SDK sends: Sum per 60-second period, paginated like the
 * service (ListMetrics `pageSize` metrics a page; GetMetricData `pointsPerPage` data points a page, PartialData until
 * the last), and records each request so tests can assert what was asked.
 */
import { createServer } from 'node:http';
import { listenOnLoopback } from './loopback.ts';

export interface Dimension {
  readonly Name: string;
  readonly Value: string;
}

export interface FakeSeries {
  readonly dimensions: readonly Dimension[];
  /** Events per minute: the minute's start (epoch ms) → Sum. */
  readonly minutes: ReadonlyMap<number, number>;
  readonly metricName?: string;
}

export interface FakeCloudWatchOptions {
  readonly series: readonly FakeSeries[];
  readonly pageSize?: number;
  readonly pointsPerPage?: number;
  /** Answer every GetMetricData result with this status (e.g. Forbidden). */
  readonly status?: 'Forbidden' | 'InternalError';
  /** ListMetrics always hands out a next token (a service that never ends its listing). */
  readonly endlessListing?: boolean;
}

export interface FakeCloudWatch {
  readonly endpoint: string;
  /** Operations received, in order (e.g. `ListMetrics`, `GetMetricData`). */
  operations(): string[];
  /** The GetMetricData requests' time ranges, epoch ms. */
  ranges(): { from: number; until: number }[];
  close(): Promise<void>;
}

interface Query {
  readonly Id: string;
  readonly MetricStat: { readonly Metric: { readonly Namespace: string; readonly MetricName: string; readonly Dimensions?: Dimension[] }; readonly Period: number; readonly Stat: string };
}

const sameDimensions = (a: readonly Dimension[], b: readonly Dimension[]): boolean =>
  a.length === b.length && a.every((dimension) => b.some((other) => other.Name === dimension.Name && other.Value === dimension.Value));

export async function startFakeCloudWatch(options: FakeCloudWatchOptions): Promise<FakeCloudWatch> {
  const operations: string[] = [];
  const ranges: { from: number; until: number }[] = [];
  const pageSize = options.pageSize ?? 500;
  const pointsPerPage = options.pointsPerPage ?? 100_800;
  const metrics = options.series.map((series) => ({ Namespace: 'AWS/Logs', MetricName: series.metricName ?? 'ForwardedLogEvents', Dimensions: [...series.dimensions] }));

  const listMetrics = (request: { Namespace?: string; MetricName?: string; NextToken?: string }) => {
    const matching = metrics.filter((metric) => (request.Namespace === undefined || metric.Namespace === request.Namespace) && (request.MetricName === undefined || metric.MetricName === request.MetricName));
    const start = Number(request.NextToken ?? 0);
    const page = matching.slice(start, start + pageSize);
    const next = options.endlessListing || start + pageSize < matching.length ? String(start + pageSize) : undefined;
    return { Metrics: page, ...(next === undefined ? {} : { NextToken: next }) };
  };

  const getMetricData = (request: { MetricDataQueries: Query[]; StartTime: number; EndTime: number; NextToken?: string }) => {
    const from = request.StartTime * 1000;
    const until = request.EndTime * 1000;
    ranges.push({ from, until });
    // Every query's points in order, then one page of them.
    const points = request.MetricDataQueries.flatMap((query) => {
      const series = options.series.find((candidate) => (candidate.metricName ?? 'ForwardedLogEvents') === query.MetricStat.Metric.MetricName && sameDimensions(candidate.dimensions, query.MetricStat.Metric.Dimensions ?? []));
      return [...(series?.minutes ?? new Map<number, number>())].filter(([minute]) => minute >= from && minute < until).sort(([a], [b]) => a - b).map(([minute, value]) => ({ id: query.Id, minute, value }));
    });
    const start = Number(request.NextToken ?? 0);
    const page = points.slice(start, start + pointsPerPage);
    const last = start + pointsPerPage >= points.length;
    return {
      MetricDataResults: request.MetricDataQueries.map((query) => {
        const mine = page.filter((point) => point.id === query.Id);
        return { Id: query.Id, Label: query.MetricStat.Metric.MetricName, Timestamps: mine.map((point) => point.minute / 1000), Values: mine.map((point) => point.value), StatusCode: options.status ?? (last ? 'Complete' : 'PartialData') };
      }),
      ...(last ? {} : { NextToken: String(start + pointsPerPage) }),
    };
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      operations.push(operation);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as never;
      const answer = operation === 'ListMetrics' ? listMetrics(body) : operation === 'GetMetricData' ? getMetricData(body) : undefined;
      if (answer === undefined) {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ __type: 'InvalidAction', message: `not served: ${operation}` }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(answer));
    });
  });
  const listener = await listenOnLoopback(server);
  return { endpoint: listener.endpoint, operations: () => [...operations], ranges: () => [...ranges], close: listener.close };
}

/** A log group's filter's series, as CloudWatch Logs publishes it. */
export function filterSeries(logGroup: string, filter: string, minutes: ReadonlyMap<number, number>, destinationType = 'Kinesis'): FakeSeries {
  return {
    dimensions: [
      { Name: 'LogGroupName', Value: logGroup },
      { Name: 'DestinationType', Value: destinationType },
      { Name: 'FilterName', Value: filter },
    ],
    minutes,
  };
}
