// One log record as every reader returns it, whatever the file format.

export type LogStream = 'stdout' | 'stderr';
export type LogFormat = 'json-file' | 'k8s-file';

export interface LogEntry {
  stream: LogStream;
  /** RFC3339Nano as written in the file */
  time: string;
  timeNano: bigint;
  /** the bytes, with the trailing "\n" unless partial */
  line: Buffer;
  /** the process wrote no newline (yet) */
  partial: boolean;
}

/** The line as `docker logs` prints it, optionally prefixed with its timestamp. */
export function renderEntry(e: LogEntry, opts: { timestamps?: boolean } = {}): Buffer {
  return opts.timestamps ? Buffer.concat([Buffer.from(`${e.time} `), e.line]) : e.line;
}
