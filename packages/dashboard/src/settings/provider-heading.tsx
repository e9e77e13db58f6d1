import type { ComponentChildren } from 'preact';
import type { PushProviderView } from '@roster/protocol';
import { Badge } from '../components/badge';
import { TimeAgo } from '../components/time-ago';

/** A push provider's name, whether it is configured, and which account it uses (never the secret). */
export function ProviderHeading({
  id,
  title,
  provider,
  children,
}: {
  id: string;
  title: string;
  provider: PushProviderView | undefined;
  /** What identifies the configured account, e.g. the FCM project. */
  children: ComponentChildren;
}) {
  return (
    <>
      <h3 id={`h-${id}`}>
        {title}{' '}
        <Badge tone={provider ? 'good' : 'neutral'}>{provider ? 'configured' : 'not configured'}</Badge>
      </h3>
      {provider ? (
        <p class="hint" data-testid={`${id}-configured`}>
          {children}
          {provider.updated_at ? (
            <>
              {' '}
              · saved <TimeAgo unix={provider.updated_at} />
            </>
          ) : null}
        </p>
      ) : null}
    </>
  );
}
