import React, { useEffect, useLayoutEffect, useRef, useState } from 'react';

import { getJobLogs, MaestroAPIError } from '../api';
import { errorMessage } from '../format';
import {
  appendLog,
  displayLog,
  ILogBuffer,
  LOG_MAX_CHARS,
  LOG_POLL_MS,
  LOG_RETRY_MS,
  LOG_TAIL_BYTES
} from './helpers';

/**
 * Distance (in pixels) from the bottom within which the log counts as
 * scrolled to the bottom (and keeps following new output).
 */
const STICK_THRESHOLD_PX = 8;

/**
 * Properties of `JobLog`.
 */
export interface IJobLogProps {
  jobId: string;
  /** Whether the log is shown: it is only polled while it is. */
  active: boolean;
  /** Id of the element (for the toggle's `aria-controls`). */
  id?: string;
}

const EMPTY_BUFFER: ILogBuffer = { text: '', truncated: false };

/**
 * The live tail of a job's log: its last bytes first, then whatever the
 * job writes (read every second until the log is complete). It keeps at
 * most `LOG_MAX_CHARS` characters, and scrolls to the bottom on new output
 * unless the user scrolled up.
 */
export function JobLog(props: IJobLogProps): JSX.Element {
  const { jobId, active } = props;
  const [buffer, setBuffer] = useState<ILogBuffer>(EMPTY_BUFFER);
  const [loaded, setLoaded] = useState(false);
  const [complete, setComplete] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // Offset of the next read; null before the first (tail) read.
  const offset = useRef<number | null>(null);
  const completeRef = useRef(false);
  const pre = useRef<HTMLPreElement | null>(null);
  const stick = useRef(true);

  useEffect(() => {
    if (!active || completeRef.current) {
      return;
    }
    const controller = new AbortController();
    let timer: number | undefined;

    const schedule = (delay: number): void => {
      timer = window.setTimeout(() => void read(), delay);
    };

    const read = async (): Promise<void> => {
      if (document.visibilityState === 'hidden') {
        schedule(LOG_POLL_MS);
        return;
      }
      try {
        const chunk = await getJobLogs(
          jobId,
          offset.current === null
            ? { tail: LOG_TAIL_BYTES, signal: controller.signal }
            : { offset: offset.current, signal: controller.signal }
        );
        if (controller.signal.aborted) {
          return;
        }
        const first = offset.current === null;
        offset.current = chunk.next_offset;
        setBuffer(previous =>
          appendLog(
            first && chunk.offset > 0
              ? { ...previous, truncated: true }
              : previous,
            chunk.text ?? '',
            LOG_MAX_CHARS
          )
        );
        setLoaded(true);
        setError(null);
        if (chunk.complete) {
          completeRef.current = true;
          setComplete(true);
          return;
        }
        schedule(LOG_POLL_MS);
      } catch (reason) {
        if (controller.signal.aborted) {
          return;
        }
        setError(errorMessage(reason));
        setLoaded(true);
        if (reason instanceof MaestroAPIError && reason.status === 404) {
          // The job (or its log) is gone: stop following.
          return;
        }
        schedule(LOG_RETRY_MS);
      }
    };

    void read();
    return () => {
      controller.abort();
      window.clearTimeout(timer);
    };
  }, [jobId, active]);

  const text = displayLog(buffer);

  // Follow new output, unless the user scrolled up.
  useLayoutEffect(() => {
    const node = pre.current;
    if (node && stick.current) {
      node.scrollTop = node.scrollHeight;
    }
  }, [text]);

  const onScroll = (): void => {
    const node = pre.current;
    if (node) {
      stick.current =
        node.scrollTop + node.clientHeight >=
        node.scrollHeight - STICK_THRESHOLD_PX;
    }
  };

  let status: string;
  if (!loaded) {
    status = 'Loading log…';
  } else if (complete) {
    status = text ? 'End of log.' : 'The job wrote no output.';
  } else {
    status = text ? 'Following…' : 'No output yet; following…';
  }

  return (
    <div className="maestro-job-log-panel" id={props.id}>
      {buffer.truncated && (
        <p className="maestro-job-log-note">
          Earlier output omitted: showing the end of the log.
        </p>
      )}
      <pre
        ref={pre}
        className="maestro-job-log"
        tabIndex={0}
        aria-label={`Log of job ${jobId}`}
        aria-busy={!complete}
        data-complete={complete}
        onScroll={onScroll}
      >
        {text}
      </pre>
      <div className="maestro-job-log-status" aria-live="polite">
        {!complete && loaded && error === null && (
          <span className="maestro-spinner" aria-hidden="true" />
        )}
        {status}
      </div>
      {error !== null && (
        <div className="maestro-job-log-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
