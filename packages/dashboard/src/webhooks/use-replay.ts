import { useState } from 'preact/hooks';
import { App } from '../api/endpoints';
import type { Outcome } from '../components/notice';
import { errorMessage, num } from '../models/format';

export interface Replay {
  /** What the last replay answered, for a `Notice`. */
  outcome: Outcome | null;
  /** Queues one finished delivery again (same event id). */
  one: (deliveryId: number, eventId: string) => Promise<void>;
  /** Queues every failed delivery of the last 3 days again. */
  failed: () => Promise<void>;
}

/** Replays of a subscription's deliveries, with what each answered; `onDone` reloads the lists. */
export function useReplay(webhookId: number, onDone: () => void): Replay {
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const run = async (work: () => Promise<string>) => {
    setOutcome(null);
    try {
      setOutcome({ ok: true, text: await work() });
      onDone();
    } catch (error) {
      setOutcome({ ok: false, text: errorMessage(error), error });
    }
  };
  return {
    outcome,
    one: (deliveryId, eventId) =>
      run(async () => {
        await App.replayDelivery(webhookId, deliveryId);
        return `Delivery ${deliveryId} (${eventId}) queued again.`;
      }),
    failed: () =>
      run(async () => {
        const r = await App.replayFailed(webhookId);
        return r.replayed === 0
          ? 'No failed deliveries in the last 3 days.'
          : `${num(r.replayed)} queued again.`;
      }),
  };
}
