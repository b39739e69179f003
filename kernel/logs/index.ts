// Container log formats shared by the runtimes and the API: readers for json-file and
// k8s-file, a json-file writer, RFC3339Nano helpers.
export type { LogEntry, LogFormat, LogStream } from './entry.ts';
export { renderEntry } from './entry.ts';
export { readLogs, type ReadLogsOptions } from './reader.ts';
export { JsonFileLogWriter, formatJsonLine, parseJsonLine } from './json-file.ts';
export { parseK8sLine, PartialJoiner } from './k8s-file.ts';
export { formatRfc3339Nano, nowNano, parseRfc3339Nano } from './time.ts';
