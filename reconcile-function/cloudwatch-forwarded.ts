/**
 * Reads CloudWatch Logs' `ForwardedLogEvents` (namespace `AWS/Logs`, dimensions LogGroupName, DestinationType and
 * FilterName; PolicyLevel, DestinationType and FilterName for an account-level policy) per minute. The destination types are not guessed: the metrics are listed, then those of the wanted
 * filters read, each filter's types summed. Every call is bounded (the client's handler) and so is every loop.
 */
import { type CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, type Metric, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { type ForwardedCountReader, type MinuteCounts, type MinuteRange, type SubscriptionFilterId, filterKey } from './forwarded-check.ts';

const NAMESPACE = 'AWS/Logs';
const METRIC_NAME = 'ForwardedLogEvents';
/** GetMetricData takes at most 500 queries per call. */
const QUERIES_PER_CALL = 500;
/** At most this many pages of either call: 50,000 listed metrics, far above what an account's filters publish. */
const MAX_PAGES = 100;
const MINUTE_SECONDS = 60;

export class CloudWatchForwardedCounts implements ForwardedCountReader {
  constructor(private readonly client: Pick<CloudWatchClient, 'send'>) {}

  async read(filters: readonly SubscriptionFilterId[], range: MinuteRange): Promise<Map<string, MinuteCounts>> {
    const counts = new Map<string, Map<number, number>>();
    if (filters.length === 0 || range.until <= range.from) return counts;
    const metrics = await this.metricsOf(new Set(filters.map(filterKey)));
    for (const metric of metrics) counts.set(metric.key, new Map());
    for (let first = 0; first < metrics.length; first += QUERIES_PER_CALL) {
      const chunk = metrics.slice(first, first + QUERIES_PER_CALL);
      const queries: MetricDataQuery[] = chunk.map((metric, index) => ({ Id: `m${index}`, MetricStat: { Metric: metric.metric, Period: MINUTE_SECONDS, Stat: 'Sum' }, ReturnData: true }));
      const complete = new Set<string>();
      let token: string | undefined;
      let pages = 0;
      do {
        pages = nextPage(pages, 'GetMetricData');
        const page = await this.client.send(
          new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(range.from), EndTime: new Date(range.until), ScanBy: 'TimestampAscending', NextToken: token }),
        );
        for (const result of page.MetricDataResults ?? []) {
          const metric = chunk[Number((result.Id ?? '').slice(1))];
          if (metric === undefined) throw new Error(`GetMetricData answered an unknown query id ${JSON.stringify(result.Id)}`);
          if (result.StatusCode === 'InternalError' || result.StatusCode === 'Forbidden') {
            throw new Error(`GetMetricData ${NAMESPACE} ${METRIC_NAME} of ${describeMetric(metric)}: ${result.StatusCode}${messagesOf(result.Messages)}`);
          }
          if (result.StatusCode === 'Complete') complete.add(metric.id);
          const minutes = counts.get(metric.key) as Map<number, number>;
          (result.Timestamps ?? []).forEach((timestamp, index) => {
            const minute = timestamp.getTime();
            minutes.set(minute, (minutes.get(minute) ?? 0) + (result.Values?.[index] ?? 0));
          });
        }
        token = page.NextToken;
      } while (token !== undefined && token !== '');
      const partial = chunk.filter((metric) => !complete.has(metric.id));
      if (partial.length > 0) throw new Error(`GetMetricData did not complete the ${METRIC_NAME} of ${partial.map(describeMetric).join(', ')}`);
    }
    return counts;
  }

  /** The metrics of the wanted filters, one per destination type. */
  private async metricsOf(wanted: ReadonlySet<string>): Promise<{ key: string; id: string; metric: Metric }[]> {
    const found: { key: string; id: string; metric: Metric }[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      pages = nextPage(pages, 'ListMetrics');
      const page = await this.client.send(new ListMetricsCommand({ Namespace: NAMESPACE, MetricName: METRIC_NAME, NextToken: token }));
      for (const metric of page.Metrics ?? []) {
        const dimension = (name: string) => metric.Dimensions?.find((candidate) => candidate.Name === name)?.Value;
        const logGroup = dimension('LogGroupName');
        const filter = dimension('FilterName');
        const accountPolicy = dimension('PolicyLevel') !== undefined;
        // A log group's filter has LogGroupName; an account-level policy's count has PolicyLevel and no log group.
        if (filter === undefined || (logGroup === undefined) !== accountPolicy) continue;
        const id = logGroup === undefined ? { filter } : { logGroup, filter };
        const key = filterKey(id);
        if (wanted.has(key)) found.push({ key, id: JSON.stringify([logGroup ?? '(account policy)', filter, dimension('DestinationType') ?? '']), metric });
      }
      token = page.NextToken;
    } while (token !== undefined && token !== '');
    return found;
  }
}

function nextPage(pages: number, call: string): number {
  if (pages >= MAX_PAGES) throw new Error(`${call}: more than ${MAX_PAGES} pages of ${NAMESPACE} ${METRIC_NAME}; stopped`);
  return pages + 1;
}

function describeMetric(metric: { readonly id: string }): string {
  const [logGroup, filter, destinationType] = JSON.parse(metric.id) as string[];
  return `log group ${logGroup} filter ${filter} (${destinationType})`;
}

function messagesOf(messages: readonly { Code?: string | undefined; Value?: string | undefined }[] | undefined): string {
  return messages === undefined || messages.length === 0 ? '' : ` (${messages.map((message) => `${message.Code ?? ''}: ${message.Value ?? ''}`).join('; ')})`;
}
