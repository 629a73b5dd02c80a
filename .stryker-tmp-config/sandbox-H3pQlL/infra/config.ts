// @ts-nocheck
function stryNS_9fa48() {
  var g = typeof globalThis === 'object' && globalThis && globalThis.Math === Math && globalThis || new Function("return this")();
  var ns = g.__stryker__ || (g.__stryker__ = {});
  if (ns.activeMutant === undefined && g.process && g.process.env && g.process.env.__STRYKER_ACTIVE_MUTANT__) {
    ns.activeMutant = g.process.env.__STRYKER_ACTIVE_MUTANT__;
  }
  function retrieveNS() {
    return ns;
  }
  stryNS_9fa48 = retrieveNS;
  return retrieveNS();
}
stryNS_9fa48();
function stryCov_9fa48() {
  var ns = stryNS_9fa48();
  var cov = ns.mutantCoverage || (ns.mutantCoverage = {
    static: {},
    perTest: {}
  });
  function cover() {
    var c = cov.static;
    if (ns.currentTestId) {
      c = cov.perTest[ns.currentTestId] = cov.perTest[ns.currentTestId] || {};
    }
    var a = arguments;
    for (var i = 0; i < a.length; i++) {
      c[a[i]] = (c[a[i]] || 0) + 1;
    }
  }
  stryCov_9fa48 = cover;
  cover.apply(null, arguments);
}
function stryMutAct_9fa48(id) {
  var ns = stryNS_9fa48();
  function isActive(id) {
    if (ns.activeMutant === id) {
      if (ns.hitCount !== void 0 && ++ns.hitCount > ns.hitLimit) {
        throw new Error('Stryker: Hit count limit reached (' + ns.hitCount + ')');
      }
      return true;
    }
    return false;
  }
  stryMutAct_9fa48 = isActive;
  return isActive(id);
}
import type { Environment } from 'aws-cdk-lib';
import { distance } from 'fastest-levenshtein';
import { ENV } from '../transform/config.ts';
import type { MeterIngestionPipelineProps, TransformSettings } from './pipeline/props.ts';
import { PipelineConfigError } from './pipeline/settings.ts';

/** Pipeline settings that can come from CDK context: every prop but the alarm topic, which is given by ARN. */
export type PipelineSettings = Omit<MeterIngestionPipelineProps, 'alarmTopic'>;
export interface AppConfig {
  readonly stackName: string;
  /** Set only when both `account` and `region` are given: the stack is environment-agnostic otherwise. */
  readonly env?: Environment;
  readonly alarmTopicArn?: string;
  readonly pipeline: PipelineSettings;
}
type Kind = 'string' | 'number' | 'boolean' | 'stringList' | 'object';

/** Every pipeline setting is a context key of the same name; the kind says how `-c key=value` strings are read. */
const PIPELINE_KEYS = {
  amberfloBucketName: 'string',
  pipelineName: 'string',
  sourceLogGroupNames: 'stringList',
  subscriptionFilterPattern: 'string',
  accountSubscriptionPolicy: 'boolean',
  accountPolicyExcludedLogGroupNames: 'stringList',
  source: 'string',
  streamShardCount: 'number',
  streamRetentionHours: 'number',
  processorBufferSizeMBs: 'number',
  processorBufferIntervalSeconds: 'number',
  processorRetries: 'number',
  dataOutputPrefix: 'string',
  errorOutputPrefix: 'string',
  destinationBufferIntervalSeconds: 'number',
  destinationBufferSizeMBs: 'number',
  compression: 'string',
  fileExtension: 'string',
  logRetentionDays: 'number',
  transformMemorySizeMB: 'number',
  transformTimeoutSeconds: 'number',
  transform: 'object',
  iteratorAgeAlarmSeconds: 'number',
  dataFreshnessAlarmSeconds: 'number',
  rejectedMeterRecordsAlarmThreshold: 'number',
  durationAlarmPercentOfTimeout: 'number',
  delivery: 'string',
  amberfloKeysSecretArn: 'string',
  amberfloBucketRegion: 'string',
  sourceBackup: 'boolean',
  pipelineBucketName: 'string',
  pipelineBucketExpirationDays: 'number',
  pipelineBucketAccessLogsBucketName: 'string'
} as const satisfies Record<keyof PipelineSettings, Kind>;
const TRANSFORM_KEYS = stryMutAct_9fa48("0") ? Object.keys(ENV) : (stryCov_9fa48("0"), Object.keys(ENV).filter(stryMutAct_9fa48("1") ? () => undefined : (stryCov_9fa48("1"), key => stryMutAct_9fa48("4") ? key === 'pipelineName' : stryMutAct_9fa48("3") ? false : stryMutAct_9fa48("2") ? true : (stryCov_9fa48("2", "3", "4"), key !== (stryMutAct_9fa48("5") ? "" : (stryCov_9fa48("5"), 'pipelineName'))))));

/** Every context key the app reads. */
const APP_KEYS: readonly string[] = stryMutAct_9fa48("6") ? [] : (stryCov_9fa48("6"), [...Object.keys(PIPELINE_KEYS), stryMutAct_9fa48("7") ? "" : (stryCov_9fa48("7"), 'stackName'), stryMutAct_9fa48("8") ? "" : (stryCov_9fa48("8"), 'account'), stryMutAct_9fa48("9") ? "" : (stryCov_9fa48("9"), 'region'), stryMutAct_9fa48("10") ? "" : (stryCov_9fa48("10"), 'alarmTopicArn')]);

/**
 * Rejects a context key that looks like one of the app's but is not (`amberflobucketname`, `sourceLogGroupName`):
 * it would be ignored silently, and the setting it meant would take its default. Keys of CDK and of lookups
 * (`@aws-cdk/…`, `aws:cdk:…`, `availability-zones:…`) are not plain words and are never compared.
 */
export function checkContextKeys(keys: Iterable<string>): void {
  if (stryMutAct_9fa48("11")) {
    {}
  } else {
    stryCov_9fa48("11");
    for (const key of keys) {
      if (stryMutAct_9fa48("12")) {
        {}
      } else {
        stryCov_9fa48("12");
        if (stryMutAct_9fa48("15") ? APP_KEYS.includes(key) && !/^[A-Za-z][A-Za-z0-9]*$/.test(key) : stryMutAct_9fa48("14") ? false : stryMutAct_9fa48("13") ? true : (stryCov_9fa48("13", "14", "15"), APP_KEYS.includes(key) || (stryMutAct_9fa48("16") ? /^[A-Za-z][A-Za-z0-9]*$/.test(key) : (stryCov_9fa48("16"), !(stryMutAct_9fa48("21") ? /^[A-Za-z][^A-Za-z0-9]*$/ : stryMutAct_9fa48("20") ? /^[A-Za-z][A-Za-z0-9]$/ : stryMutAct_9fa48("19") ? /^[^A-Za-z][A-Za-z0-9]*$/ : stryMutAct_9fa48("18") ? /^[A-Za-z][A-Za-z0-9]*/ : stryMutAct_9fa48("17") ? /[A-Za-z][A-Za-z0-9]*$/ : (stryCov_9fa48("17", "18", "19", "20", "21"), /^[A-Za-z][A-Za-z0-9]*$/)).test(key))))) continue;
        const resembled = APP_KEYS.find(stryMutAct_9fa48("22") ? () => undefined : (stryCov_9fa48("22"), known => resembles(stryMutAct_9fa48("23") ? key.toUpperCase() : (stryCov_9fa48("23"), key.toLowerCase()), stryMutAct_9fa48("24") ? known.toUpperCase() : (stryCov_9fa48("24"), known.toLowerCase()))));
        if (stryMutAct_9fa48("27") ? resembled === undefined : stryMutAct_9fa48("26") ? false : stryMutAct_9fa48("25") ? true : (stryCov_9fa48("25", "26", "27"), resembled !== undefined)) {
          if (stryMutAct_9fa48("28")) {
            {}
          } else {
            stryCov_9fa48("28");
            throw new PipelineConfigError(stryMutAct_9fa48("29") ? `` : (stryCov_9fa48("29"), `Unknown context key "${key}": did you mean "${resembled}"?`));
          }
        }
      }
    }
  }
}

/**
 * Reads the app's configuration from CDK context (cdk.json's "context", or `-c key=value`). Values from the command
 * line arrive as strings and are converted; lists may be JSON arrays or comma-separated. Ranges are checked by the
 * construct, whose messages use the same key names.
 */
export function loadAppConfig(context: (key: string) => unknown): AppConfig {
  if (stryMutAct_9fa48("30")) {
    {}
  } else {
    stryCov_9fa48("30");
    const pipeline: Record<string, unknown> = {};
    for (const [key, kind] of Object.entries(PIPELINE_KEYS)) {
      if (stryMutAct_9fa48("31")) {
        {}
      } else {
        stryCov_9fa48("31");
        const raw = context(key);
        if (stryMutAct_9fa48("34") ? raw === undefined : stryMutAct_9fa48("33") ? false : stryMutAct_9fa48("32") ? true : (stryCov_9fa48("32", "33", "34"), raw !== undefined)) pipeline[key] = convert(key, kind, raw);
      }
    }
    if (stryMutAct_9fa48("37") ? pipeline.amberfloBucketName !== undefined : stryMutAct_9fa48("36") ? false : stryMutAct_9fa48("35") ? true : (stryCov_9fa48("35", "36", "37"), pipeline.amberfloBucketName === undefined)) {
      if (stryMutAct_9fa48("38")) {
        {}
      } else {
        stryCov_9fa48("38");
        throw new PipelineConfigError((stryMutAct_9fa48("39") ? "" : (stryCov_9fa48("39"), 'Missing context key "amberfloBucketName": the name of the S3 bucket Amberflo provisioned for you. ')) + (stryMutAct_9fa48("40") ? "" : (stryCov_9fa48("40"), 'Set it in cdk.json under "context", or pass -c amberfloBucketName=<bucket-name>.')));
      }
    }
    if (stryMutAct_9fa48("43") ? pipeline.transform === undefined : stryMutAct_9fa48("42") ? false : stryMutAct_9fa48("41") ? true : (stryCov_9fa48("41", "42", "43"), pipeline.transform !== undefined)) checkTransformKeys(pipeline.transform as Record<string, unknown>);
    const account = optionalString(stryMutAct_9fa48("44") ? "" : (stryCov_9fa48("44"), 'account'), context(stryMutAct_9fa48("45") ? "" : (stryCov_9fa48("45"), 'account')), stryMutAct_9fa48("49") ? /^\D{12}$/ : stryMutAct_9fa48("48") ? /^\d$/ : stryMutAct_9fa48("47") ? /^\d{12}/ : stryMutAct_9fa48("46") ? /\d{12}$/ : (stryCov_9fa48("46", "47", "48", "49"), /^\d{12}$/), stryMutAct_9fa48("50") ? "" : (stryCov_9fa48("50"), 'a 12-digit AWS account id'));
    const region = optionalString(stryMutAct_9fa48("51") ? "" : (stryCov_9fa48("51"), 'region'), context(stryMutAct_9fa48("52") ? "" : (stryCov_9fa48("52"), 'region')), stryMutAct_9fa48("61") ? /^[a-z]{2}(-[a-z0-9]+)+-\D+$/ : stryMutAct_9fa48("60") ? /^[a-z]{2}(-[a-z0-9]+)+-\d$/ : stryMutAct_9fa48("59") ? /^[a-z]{2}(-[^a-z0-9]+)+-\d+$/ : stryMutAct_9fa48("58") ? /^[a-z]{2}(-[a-z0-9])+-\d+$/ : stryMutAct_9fa48("57") ? /^[a-z]{2}(-[a-z0-9]+)-\d+$/ : stryMutAct_9fa48("56") ? /^[^a-z]{2}(-[a-z0-9]+)+-\d+$/ : stryMutAct_9fa48("55") ? /^[a-z](-[a-z0-9]+)+-\d+$/ : stryMutAct_9fa48("54") ? /^[a-z]{2}(-[a-z0-9]+)+-\d+/ : stryMutAct_9fa48("53") ? /[a-z]{2}(-[a-z0-9]+)+-\d+$/ : (stryCov_9fa48("53", "54", "55", "56", "57", "58", "59", "60", "61"), /^[a-z]{2}(-[a-z0-9]+)+-\d+$/), stryMutAct_9fa48("62") ? "" : (stryCov_9fa48("62"), 'an AWS Region such as us-east-1'));
    if (stryMutAct_9fa48("65") ? account === undefined === (region === undefined) : stryMutAct_9fa48("64") ? false : stryMutAct_9fa48("63") ? true : (stryCov_9fa48("63", "64", "65"), (stryMutAct_9fa48("68") ? account !== undefined : stryMutAct_9fa48("67") ? false : stryMutAct_9fa48("66") ? true : (stryCov_9fa48("66", "67", "68"), account === undefined)) !== (stryMutAct_9fa48("71") ? region !== undefined : stryMutAct_9fa48("70") ? false : stryMutAct_9fa48("69") ? true : (stryCov_9fa48("69", "70", "71"), region === undefined)))) {
      if (stryMutAct_9fa48("72")) {
        {}
      } else {
        stryCov_9fa48("72");
        throw new PipelineConfigError(stryMutAct_9fa48("73") ? "" : (stryCov_9fa48("73"), 'Context keys "account" and "region" must be set together (or neither, for an environment-agnostic stack)'));
      }
    }
    const alarmTopicArn = optionalString(stryMutAct_9fa48("74") ? "" : (stryCov_9fa48("74"), 'alarmTopicArn'), context(stryMutAct_9fa48("75") ? "" : (stryCov_9fa48("75"), 'alarmTopicArn')), stryMutAct_9fa48("85") ? /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[^A-Za-z0-9_-]{1,256}$/ : stryMutAct_9fa48("84") ? /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]$/ : stryMutAct_9fa48("83") ? /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\D{12}:[A-Za-z0-9_-]{1,256}$/ : stryMutAct_9fa48("82") ? /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d:[A-Za-z0-9_-]{1,256}$/ : stryMutAct_9fa48("81") ? /^arn:aws[a-z-]*:sns:[^a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/ : stryMutAct_9fa48("80") ? /^arn:aws[a-z-]*:sns:[a-z0-9-]:\d{12}:[A-Za-z0-9_-]{1,256}$/ : stryMutAct_9fa48("79") ? /^arn:aws[^a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/ : stryMutAct_9fa48("78") ? /^arn:aws[a-z-]:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/ : stryMutAct_9fa48("77") ? /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}/ : stryMutAct_9fa48("76") ? /arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/ : (stryCov_9fa48("76", "77", "78", "79", "80", "81", "82", "83", "84", "85"), /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/), stryMutAct_9fa48("86") ? "" : (stryCov_9fa48("86"), 'an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)'));
    return stryMutAct_9fa48("87") ? {} : (stryCov_9fa48("87"), {
      stackName: stryMutAct_9fa48("88") ? optionalString('stackName', context('stackName'), /^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'a CloudFormation stack name (a letter, then up to 127 letters, digits or "-")') && 'MeterFirehose' : (stryCov_9fa48("88"), optionalString(stryMutAct_9fa48("89") ? "" : (stryCov_9fa48("89"), 'stackName'), context(stryMutAct_9fa48("90") ? "" : (stryCov_9fa48("90"), 'stackName')), stryMutAct_9fa48("95") ? /^[A-Za-z][^A-Za-z0-9-]{0,127}$/ : stryMutAct_9fa48("94") ? /^[A-Za-z][A-Za-z0-9-]$/ : stryMutAct_9fa48("93") ? /^[^A-Za-z][A-Za-z0-9-]{0,127}$/ : stryMutAct_9fa48("92") ? /^[A-Za-z][A-Za-z0-9-]{0,127}/ : stryMutAct_9fa48("91") ? /[A-Za-z][A-Za-z0-9-]{0,127}$/ : (stryCov_9fa48("91", "92", "93", "94", "95"), /^[A-Za-z][A-Za-z0-9-]{0,127}$/), stryMutAct_9fa48("96") ? "" : (stryCov_9fa48("96"), 'a CloudFormation stack name (a letter, then up to 127 letters, digits or "-")')) ?? (stryMutAct_9fa48("97") ? "" : (stryCov_9fa48("97"), 'MeterFirehose'))),
      ...((stryMutAct_9fa48("100") ? account !== undefined || region !== undefined : stryMutAct_9fa48("99") ? false : stryMutAct_9fa48("98") ? true : (stryCov_9fa48("98", "99", "100"), (stryMutAct_9fa48("102") ? account === undefined : stryMutAct_9fa48("101") ? true : (stryCov_9fa48("101", "102"), account !== undefined)) && (stryMutAct_9fa48("104") ? region === undefined : stryMutAct_9fa48("103") ? true : (stryCov_9fa48("103", "104"), region !== undefined)))) ? stryMutAct_9fa48("105") ? {} : (stryCov_9fa48("105"), {
        env: stryMutAct_9fa48("106") ? {} : (stryCov_9fa48("106"), {
          account,
          region
        })
      }) : {}),
      ...((stryMutAct_9fa48("109") ? alarmTopicArn === undefined : stryMutAct_9fa48("108") ? false : stryMutAct_9fa48("107") ? true : (stryCov_9fa48("107", "108", "109"), alarmTopicArn !== undefined)) ? stryMutAct_9fa48("110") ? {} : (stryCov_9fa48("110"), {
        alarmTopicArn
      }) : {}),
      pipeline: pipeline as unknown as PipelineSettings
    });
  }
}
function convert(key: string, kind: Kind, raw: unknown): unknown {
  if (stryMutAct_9fa48("111")) {
    {}
  } else {
    stryCov_9fa48("111");
    const invalid = (expected: string): never => {
      if (stryMutAct_9fa48("112")) {
        {}
      } else {
        stryCov_9fa48("112");
        throw new PipelineConfigError(stryMutAct_9fa48("113") ? `` : (stryCov_9fa48("113"), `Context key "${key}" must be ${expected}, got ${JSON.stringify(raw)}`));
      }
    };
    switch (kind) {
      case stryMutAct_9fa48("115") ? "" : (stryCov_9fa48("115"), 'string'):
        if (stryMutAct_9fa48("114")) {} else {
          stryCov_9fa48("114");
          return (stryMutAct_9fa48("118") ? typeof raw !== 'string' : stryMutAct_9fa48("117") ? false : stryMutAct_9fa48("116") ? true : (stryCov_9fa48("116", "117", "118"), typeof raw === (stryMutAct_9fa48("119") ? "" : (stryCov_9fa48("119"), 'string')))) ? raw : invalid(stryMutAct_9fa48("120") ? "" : (stryCov_9fa48("120"), 'a string'));
        }
      case stryMutAct_9fa48("122") ? "" : (stryCov_9fa48("122"), 'number'):
        if (stryMutAct_9fa48("121")) {} else {
          stryCov_9fa48("121");
          {
            if (stryMutAct_9fa48("123")) {
              {}
            } else {
              stryCov_9fa48("123");
              if (stryMutAct_9fa48("126") ? typeof raw !== 'number' : stryMutAct_9fa48("125") ? false : stryMutAct_9fa48("124") ? true : (stryCov_9fa48("124", "125", "126"), typeof raw === (stryMutAct_9fa48("127") ? "" : (stryCov_9fa48("127"), 'number')))) return raw;
              const value = (stryMutAct_9fa48("130") ? typeof raw === 'string' || raw.trim() !== '' : stryMutAct_9fa48("129") ? false : stryMutAct_9fa48("128") ? true : (stryCov_9fa48("128", "129", "130"), (stryMutAct_9fa48("132") ? typeof raw !== 'string' : stryMutAct_9fa48("131") ? true : (stryCov_9fa48("131", "132"), typeof raw === (stryMutAct_9fa48("133") ? "" : (stryCov_9fa48("133"), 'string')))) && (stryMutAct_9fa48("135") ? raw.trim() === '' : stryMutAct_9fa48("134") ? true : (stryCov_9fa48("134", "135"), (stryMutAct_9fa48("136") ? raw : (stryCov_9fa48("136"), raw.trim())) !== (stryMutAct_9fa48("137") ? "Stryker was here!" : (stryCov_9fa48("137"), '')))))) ? Number(raw) : NaN;
              return Number.isFinite(value) ? value : invalid(stryMutAct_9fa48("138") ? "" : (stryCov_9fa48("138"), 'a number'));
            }
          }
        }
      case stryMutAct_9fa48("140") ? "" : (stryCov_9fa48("140"), 'boolean'):
        if (stryMutAct_9fa48("139")) {} else {
          stryCov_9fa48("139");
          if (stryMutAct_9fa48("143") ? typeof raw !== 'boolean' : stryMutAct_9fa48("142") ? false : stryMutAct_9fa48("141") ? true : (stryCov_9fa48("141", "142", "143"), typeof raw === (stryMutAct_9fa48("144") ? "" : (stryCov_9fa48("144"), 'boolean')))) return raw;
          return (stryMutAct_9fa48("147") ? raw !== 'true' : stryMutAct_9fa48("146") ? false : stryMutAct_9fa48("145") ? true : (stryCov_9fa48("145", "146", "147"), raw === (stryMutAct_9fa48("148") ? "" : (stryCov_9fa48("148"), 'true')))) ? stryMutAct_9fa48("149") ? false : (stryCov_9fa48("149"), true) : (stryMutAct_9fa48("152") ? raw !== 'false' : stryMutAct_9fa48("151") ? false : stryMutAct_9fa48("150") ? true : (stryCov_9fa48("150", "151", "152"), raw === (stryMutAct_9fa48("153") ? "" : (stryCov_9fa48("153"), 'false')))) ? stryMutAct_9fa48("154") ? true : (stryCov_9fa48("154"), false) : invalid(stryMutAct_9fa48("155") ? "" : (stryCov_9fa48("155"), 'true or false'));
        }
      case stryMutAct_9fa48("157") ? "" : (stryCov_9fa48("157"), 'stringList'):
        if (stryMutAct_9fa48("156")) {} else {
          stryCov_9fa48("156");
          {
            if (stryMutAct_9fa48("158")) {
              {}
            } else {
              stryCov_9fa48("158");
              const list = (stryMutAct_9fa48("161") ? typeof raw !== 'string' : stryMutAct_9fa48("160") ? false : stryMutAct_9fa48("159") ? true : (stryCov_9fa48("159", "160", "161"), typeof raw === (stryMutAct_9fa48("162") ? "" : (stryCov_9fa48("162"), 'string')))) ? parseList(raw) : raw;
              return (stryMutAct_9fa48("165") ? Array.isArray(list) || list.every(item => typeof item === 'string' && item !== '') : stryMutAct_9fa48("164") ? false : stryMutAct_9fa48("163") ? true : (stryCov_9fa48("163", "164", "165"), Array.isArray(list) && (stryMutAct_9fa48("166") ? list.some(item => typeof item === 'string' && item !== '') : (stryCov_9fa48("166"), list.every(stryMutAct_9fa48("167") ? () => undefined : (stryCov_9fa48("167"), item => stryMutAct_9fa48("170") ? typeof item === 'string' || item !== '' : stryMutAct_9fa48("169") ? false : stryMutAct_9fa48("168") ? true : (stryCov_9fa48("168", "169", "170"), (stryMutAct_9fa48("172") ? typeof item !== 'string' : stryMutAct_9fa48("171") ? true : (stryCov_9fa48("171", "172"), typeof item === (stryMutAct_9fa48("173") ? "" : (stryCov_9fa48("173"), 'string')))) && (stryMutAct_9fa48("175") ? item === '' : stryMutAct_9fa48("174") ? true : (stryCov_9fa48("174", "175"), item !== (stryMutAct_9fa48("176") ? "Stryker was here!" : (stryCov_9fa48("176"), ''))))))))))) ? list : invalid(stryMutAct_9fa48("177") ? "" : (stryCov_9fa48("177"), 'a list of names (a JSON array, or comma-separated)'));
            }
          }
        }
      case stryMutAct_9fa48("179") ? "" : (stryCov_9fa48("179"), 'object'):
        if (stryMutAct_9fa48("178")) {} else {
          stryCov_9fa48("178");
          {
            if (stryMutAct_9fa48("180")) {
              {}
            } else {
              stryCov_9fa48("180");
              const value = (stryMutAct_9fa48("183") ? typeof raw !== 'string' : stryMutAct_9fa48("182") ? false : stryMutAct_9fa48("181") ? true : (stryCov_9fa48("181", "182", "183"), typeof raw === (stryMutAct_9fa48("184") ? "" : (stryCov_9fa48("184"), 'string')))) ? parseJson(raw) : raw;
              return (stryMutAct_9fa48("187") ? typeof value === 'object' && value !== null || !Array.isArray(value) : stryMutAct_9fa48("186") ? false : stryMutAct_9fa48("185") ? true : (stryCov_9fa48("185", "186", "187"), (stryMutAct_9fa48("189") ? typeof value === 'object' || value !== null : stryMutAct_9fa48("188") ? true : (stryCov_9fa48("188", "189"), (stryMutAct_9fa48("191") ? typeof value !== 'object' : stryMutAct_9fa48("190") ? true : (stryCov_9fa48("190", "191"), typeof value === (stryMutAct_9fa48("192") ? "" : (stryCov_9fa48("192"), 'object')))) && (stryMutAct_9fa48("194") ? value === null : stryMutAct_9fa48("193") ? true : (stryCov_9fa48("193", "194"), value !== null)))) && (stryMutAct_9fa48("195") ? Array.isArray(value) : (stryCov_9fa48("195"), !Array.isArray(value))))) ? value : invalid(stryMutAct_9fa48("196") ? "" : (stryCov_9fa48("196"), 'a JSON object'));
            }
          }
        }
    }
  }
}
function parseList(raw: string): unknown {
  if (stryMutAct_9fa48("197")) {
    {}
  } else {
    stryCov_9fa48("197");
    if (stryMutAct_9fa48("201") ? raw.trimEnd().startsWith('[') : stryMutAct_9fa48("200") ? raw.trimStart().endsWith('[') : stryMutAct_9fa48("199") ? false : stryMutAct_9fa48("198") ? true : (stryCov_9fa48("198", "199", "200", "201"), raw.trimStart().startsWith(stryMutAct_9fa48("202") ? "" : (stryCov_9fa48("202"), '[')))) return parseJson(raw);
    return stryMutAct_9fa48("203") ? raw.split(',').map(item => item.trim()) : (stryCov_9fa48("203"), raw.split(stryMutAct_9fa48("204") ? "" : (stryCov_9fa48("204"), ',')).map(stryMutAct_9fa48("205") ? () => undefined : (stryCov_9fa48("205"), item => stryMutAct_9fa48("206") ? item : (stryCov_9fa48("206"), item.trim()))).filter(stryMutAct_9fa48("207") ? () => undefined : (stryCov_9fa48("207"), item => stryMutAct_9fa48("210") ? item === '' : stryMutAct_9fa48("209") ? false : stryMutAct_9fa48("208") ? true : (stryCov_9fa48("208", "209", "210"), item !== (stryMutAct_9fa48("211") ? "Stryker was here!" : (stryCov_9fa48("211"), ''))))));
  }
}
function parseJson(raw: string): unknown {
  if (stryMutAct_9fa48("212")) {
    {}
  } else {
    stryCov_9fa48("212");
    try {
      if (stryMutAct_9fa48("213")) {
        {}
      } else {
        stryCov_9fa48("213");
        return JSON.parse(raw);
      }
    } catch {
      if (stryMutAct_9fa48("214")) {
        {}
      } else {
        stryCov_9fa48("214");
        return undefined;
      }
    }
  }
}
function checkTransformKeys(transform: Record<string, unknown>): asserts transform is TransformSettings {
  if (stryMutAct_9fa48("215")) {
    {}
  } else {
    stryCov_9fa48("215");
    for (const key of Object.keys(transform)) {
      if (stryMutAct_9fa48("216")) {
        {}
      } else {
        stryCov_9fa48("216");
        if (stryMutAct_9fa48("219") ? false : stryMutAct_9fa48("218") ? true : stryMutAct_9fa48("217") ? TRANSFORM_KEYS.includes(key) : (stryCov_9fa48("217", "218", "219"), !TRANSFORM_KEYS.includes(key))) {
          if (stryMutAct_9fa48("220")) {
            {}
          } else {
            stryCov_9fa48("220");
            throw new PipelineConfigError(stryMutAct_9fa48("221") ? `` : (stryCov_9fa48("221"), `Context key "transform" has an unknown setting "${key}"; known: ${TRANSFORM_KEYS.join(stryMutAct_9fa48("222") ? "" : (stryCov_9fa48("222"), ', '))}`));
          }
        }
      }
    }
  }
}

/** A typo (a few letters off: 2, or one in five of a long key) or a truncation of at least 8 letters. */
function resembles(key: string, known: string): boolean {
  if (stryMutAct_9fa48("223")) {
    {}
  } else {
    stryCov_9fa48("223");
    return stryMutAct_9fa48("226") ? distance(key, known) <= Math.max(2, Math.floor(known.length / 5)) && key.length >= 8 && known.startsWith(key) : stryMutAct_9fa48("225") ? false : stryMutAct_9fa48("224") ? true : (stryCov_9fa48("224", "225", "226"), (stryMutAct_9fa48("229") ? distance(key, known) > Math.max(2, Math.floor(known.length / 5)) : stryMutAct_9fa48("228") ? distance(key, known) < Math.max(2, Math.floor(known.length / 5)) : stryMutAct_9fa48("227") ? false : (stryCov_9fa48("227", "228", "229"), distance(key, known) <= (stryMutAct_9fa48("230") ? Math.min(2, Math.floor(known.length / 5)) : (stryCov_9fa48("230"), Math.max(2, Math.floor(stryMutAct_9fa48("231") ? known.length * 5 : (stryCov_9fa48("231"), known.length / 5))))))) || (stryMutAct_9fa48("233") ? key.length >= 8 || known.startsWith(key) : stryMutAct_9fa48("232") ? false : (stryCov_9fa48("232", "233"), (stryMutAct_9fa48("236") ? key.length < 8 : stryMutAct_9fa48("235") ? key.length > 8 : stryMutAct_9fa48("234") ? true : (stryCov_9fa48("234", "235", "236"), key.length >= 8)) && (stryMutAct_9fa48("237") ? known.endsWith(key) : (stryCov_9fa48("237"), known.startsWith(key))))));
  }
}
function optionalString(key: string, raw: unknown, pattern: RegExp, expected: string): string | undefined {
  if (stryMutAct_9fa48("238")) {
    {}
  } else {
    stryCov_9fa48("238");
    if (stryMutAct_9fa48("241") ? raw !== undefined : stryMutAct_9fa48("240") ? false : stryMutAct_9fa48("239") ? true : (stryCov_9fa48("239", "240", "241"), raw === undefined)) return undefined;
    if (stryMutAct_9fa48("244") ? typeof raw !== 'string' && !pattern.test(raw) : stryMutAct_9fa48("243") ? false : stryMutAct_9fa48("242") ? true : (stryCov_9fa48("242", "243", "244"), (stryMutAct_9fa48("246") ? typeof raw === 'string' : stryMutAct_9fa48("245") ? false : (stryCov_9fa48("245", "246"), typeof raw !== (stryMutAct_9fa48("247") ? "" : (stryCov_9fa48("247"), 'string')))) || (stryMutAct_9fa48("248") ? pattern.test(raw) : (stryCov_9fa48("248"), !pattern.test(raw))))) {
      if (stryMutAct_9fa48("249")) {
        {}
      } else {
        stryCov_9fa48("249");
        throw new PipelineConfigError(stryMutAct_9fa48("250") ? `` : (stryCov_9fa48("250"), `Context key "${key}" must be ${expected}, got ${JSON.stringify(raw)}`));
      }
    }
    return raw;
  }
}