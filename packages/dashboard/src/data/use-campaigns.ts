import { App } from '../api/endpoints';
import { useAsync } from '../lib/use-async';

/** The workspace's campaigns (`GET /v1/campaigns`), for the Messages page and a person's messages. */
export function useCampaigns() {
  return useAsync((signal) => App.campaigns(signal), []);
}
