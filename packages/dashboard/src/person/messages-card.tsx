import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { Empty } from '../components/empty';
import { MessageStatus } from '../components/message-status';
import { TimeAgo } from '../components/time-ago';
import { useCampaigns } from '../data/use-campaigns';
import { useTemplates } from '../data/use-templates';
import { useAsync } from '../lib/use-async';
import { messageWords } from '../models/messages';

/** The pushes sent to this person: their title, where they came from, when, and how they went. */
export function MessagesCard({ cioId, tick }: { cioId: string; tick: number }) {
  const state = useAsync((s) => App.customerMessages(cioId, s), [cioId, tick]);
  const templates = useTemplates();
  const campaigns = useCampaigns();
  return (
    <section class="card" aria-labelledby="h-msgs">
      <h2 id="h-msgs">Messages</h2>
      <AsyncView state={state} what="Messages">
        {(msgs) =>
          msgs.length === 0 ? (
            <Empty>No messages sent to this person.</Empty>
          ) : (
            <ul class="plain messages" data-testid="person-messages">
              {msgs.map((m) => {
                const words = messageWords(m, templates.data ?? [], campaigns.data ?? []);
                return (
                  <li key={m.id} class="row-between" title={`Delivery ${m.id}`}>
                    <span>
                      <strong>{words.title}</strong>
                      <br />
                      <span class="muted small">
                        {words.source} · <TimeAgo unix={m.created} />
                      </span>
                    </span>
                    <MessageStatus metrics={m.metrics} failure={m.failure_message} />
                  </li>
                );
              })}
            </ul>
          )
        }
      </AsyncView>
    </section>
  );
}
