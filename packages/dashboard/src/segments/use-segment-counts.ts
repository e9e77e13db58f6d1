import type { AppSegment } from '@roster/protocol';
import { App } from '../api/endpoints';
import { useAsync } from '../lib/use-async';

/** Each segment's size, four requests at a time so a long list does not flood the server. */
export function useSegmentCounts(segments: AppSegment[] | undefined) {
  return useAsync(
    async (signal) => {
      const out = new Map<number, number | Error>();
      const queue = [...(segments ?? [])];
      const worker = async () => {
        for (let s = queue.shift(); s; s = queue.shift()) {
          try {
            out.set(s.id, await App.segmentCount(s.id, signal));
          } catch (err) {
            if (signal.aborted) throw err;
            out.set(s.id, err as Error);
          }
        }
      };
      await Promise.all([worker(), worker(), worker(), worker()]);
      return out;
    },
    [segments],
  );
}
