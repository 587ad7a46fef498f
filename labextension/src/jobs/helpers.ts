import {
  ACTIVE_JOB_STATUSES,
  FINAL_JOB_STATUSES,
  Resources,
  Job
} from '../api';
import { formatDuration } from '../format';

/**
 * Bytes of log asked for when a job is expanded (`?tail=`).
 */
export const LOG_TAIL_BYTES = 16384;

/**
 * Delay between two reads of a followed log.
 */
export const LOG_POLL_MS = 1000;

/**
 * Delay before retrying to read a log after an error.
 */
export const LOG_RETRY_MS = 5000;

/**
 * Characters of log kept in memory (the oldest are dropped).
 */
export const LOG_MAX_CHARS = 200_000;

/**
 * List refresh interval while a job is active (or just after code was run
 * in a notebook), in seconds.
 */
export const ACTIVE_REFRESH_SECONDS = 5;

/**
 * Which jobs the list shows.
 */
export type JobFilter = 'all' | 'active' | 'finished';

/**
 * The filters of the list, in order, with their labels.
 */
export const JOB_FILTERS: readonly { value: JobFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'active', label: 'Active' },
  { value: 'finished', label: 'Finished' }
];

/**
 * The statuses asked for (`status=`) with a filter; empty for all.
 */
export function filterStatuses(filter: JobFilter): readonly string[] {
  switch (filter) {
    case 'active':
      return ACTIVE_JOB_STATUSES;
    case 'finished':
      return FINAL_JOB_STATUSES;
    default:
      return [];
  }
}

/**
 * Whether a job (or a job status) is still going on.
 */
export function isActiveJob(job: Pick<Job, 'status'> | string): boolean {
  const status = typeof job === 'string' ? job : job.status;
  return (ACTIVE_JOB_STATUSES as readonly string[]).includes(status);
}

/**
 * Whether the reason of a job's end is worth showing.
 */
export function showsReason(job: Pick<Job, 'status' | 'reason'>): boolean {
  return (
    Boolean(job.reason) &&
    ['failed', 'lost', 'cancelled', 'cancelling'].includes(job.status)
  );
}

/**
 * The CSS classes of a job's status chip.
 */
export function jobStatusClass(status: string): string {
  const safe = String(status || 'unknown')
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '-');
  return `maestro-job-status maestro-status-${safe}`;
}

/**
 * The duration of a job in seconds, and whether it is still growing:
 * `duration_seconds` once finished, else the time since it started (up to
 * `now`, in seconds since the epoch); null when it never started.
 */
export function jobDuration(
  job: Pick<Job, 'status' | 'started_at' | 'finished_at' | 'duration_seconds'>,
  now: number
): { seconds: number; live: boolean } | null {
  const active = isActiveJob(job);
  if (!active && isNumber(job.duration_seconds)) {
    return { seconds: Math.max(0, job.duration_seconds), live: false };
  }
  if (!isNumber(job.started_at)) {
    return null;
  }
  if (!active) {
    return isNumber(job.finished_at)
      ? { seconds: Math.max(0, job.finished_at - job.started_at), live: false }
      : null;
  }
  return { seconds: Math.max(0, now - job.started_at), live: true };
}

/**
 * A job's duration as text: whole seconds while it runs (so that the text
 * does not flicker), `formatDuration` once it finished; empty when unknown.
 */
export function formatJobDuration(
  job: Pick<Job, 'status' | 'started_at' | 'finished_at' | 'duration_seconds'>,
  now: number
): string {
  const duration = jobDuration(job, now);
  if (duration === null) {
    return '';
  }
  return formatDuration(
    duration.live ? Math.floor(duration.seconds) : duration.seconds
  );
}

/**
 * A short summary of requested resources, e.g. `2 CPUs · 4Gi · 1 GPU ·
 * 3 workers`; empty when everything is the default.
 */
export function resourcesSummary(
  resources: Partial<Resources> | null | undefined
): string {
  if (!resources) {
    return '';
  }
  const parts: string[] = [];
  const { cpus, memory, gpus, workers } = resources;
  if (isNumber(cpus) && cpus > 0) {
    parts.push(`${cpus} CPU${cpus === 1 ? '' : 's'}`);
  }
  if (memory) {
    parts.push(String(memory));
  }
  if (isNumber(gpus) && gpus > 0) {
    parts.push(`${gpus} GPU${gpus === 1 ? '' : 's'}`);
  }
  if (isNumber(workers) && workers > 1) {
    parts.push(`${workers} workers`);
  }
  return parts.join(' · ');
}

/**
 * What a job runs, in a few words: the file name of its script or notebook,
 * or `cell`.
 */
export function jobSourceLabel(job: Pick<Job, 'kind' | 'source'>): string {
  if (job.kind === 'cell') {
    return 'cell';
  }
  const source = (job.source ?? '').trim();
  const name = source.split(/[\\/]/).pop() || source;
  return name ? `${job.kind} ${name}` : job.kind;
}

/**
 * Local date and time of an epoch-seconds timestamp; empty when missing.
 */
export function formatEpochSeconds(seconds: number | null | undefined): string {
  if (!isNumber(seconds) || seconds <= 0) {
    return '';
  }
  return new Date(seconds * 1000).toLocaleString();
}

/**
 * The text shown when no job is listed.
 */
export function emptyJobsMessage(filter: JobFilter): string {
  switch (filter) {
    case 'active':
      return 'No active training jobs.';
    case 'finished':
      return 'No finished training jobs.';
    default:
      return 'No training jobs yet. Submit one with %maestro train SCRIPT or ml.training.submit(...)';
  }
}

// eslint-disable-next-line no-control-regex
const ANSI_ESCAPE = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b[()][0-9A-B]/g;

/**
 * One line as a terminal shows it: what follows its last carriage return
 * (progress bars rewrite their line), or, when that is empty, the text before.
 */
function collapseLine(line: string): string {
  if (!line.includes('\r')) {
    return line;
  }
  const segments = line.split('\r');
  for (let index = segments.length - 1; index >= 0; index--) {
    if (segments[index]) {
      return segments[index];
    }
  }
  return '';
}

/**
 * Collapse the carriage returns of every line of a text (see
 * `collapseLine`).
 */
function collapseLines(text: string): string {
  return text.includes('\r')
    ? text.split('\n').map(collapseLine).join('\n')
    : text;
}

/**
 * A log kept in memory: its text and whether its beginning is missing.
 */
export interface ILogBuffer {
  /**
   * The log's text: complete lines are cleaned (no ANSI escapes, carriage
   * returns collapsed); the last, unfinished line is kept raw, since the
   * next chunk may continue it (use `displayLog`).
   */
  text: string;
  /** Whether the start of the log is not in `text`. */
  truncated: boolean;
}

/**
 * Append a chunk to a log buffer, dropping the oldest lines beyond
 * `maxChars`.
 */
export function appendLog(
  buffer: ILogBuffer,
  chunk: string,
  maxChars: number = LOG_MAX_CHARS
): ILogBuffer {
  if (!chunk) {
    return buffer;
  }
  let text = (buffer.text + chunk).replace(ANSI_ESCAPE, '');
  text = text.replace(/\r\n/g, '\n');
  const lastNewline = text.lastIndexOf('\n');
  if (lastNewline !== -1) {
    text =
      collapseLines(text.slice(0, lastNewline + 1)) +
      text.slice(lastNewline + 1);
  }
  let truncated = buffer.truncated;
  if (text.length > maxChars) {
    const cut = text.length - maxChars;
    const newline = text.indexOf('\n', cut);
    // Cut at a line start unless the line is very long.
    const start =
      newline !== -1 && newline - cut < 1000 && newline + 1 < text.length
        ? newline + 1
        : cut;
    text = text.slice(start);
    truncated = true;
  }
  return { text, truncated };
}

/**
 * The text of a log buffer as it is shown.
 */
export function displayLog(buffer: ILogBuffer): string {
  const lastNewline = buffer.text.lastIndexOf('\n');
  const tail = buffer.text.slice(lastNewline + 1);
  return tail.includes('\r')
    ? buffer.text.slice(0, lastNewline + 1) + collapseLine(tail)
    : buffer.text;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
