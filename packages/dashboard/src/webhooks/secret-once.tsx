/** A signing secret right after it was made: Roster never shows it again. */
export function SecretOnce({ secret, rotated }: { secret: string; rotated: boolean }) {
  return (
    <div class="notice ok" role="status" data-testid="webhook-secret">
      <p>
        {rotated ? 'New signing secret.' : 'Subscription created. Its signing secret:'}{' '}
        <code class="secret">{secret}</code>
      </p>
      <p class="small">
        Copy it now: it is not shown again. Your receiver checks the <code>Roster-Webhook-Signature</code>{' '}
        header with it (docs/webhooks.md “Verifying a delivery”).
      </p>
    </div>
  );
}
