import { App } from '../api/endpoints';
import { useAsync } from '../lib/use-async';

/** The workspace's push templates (`GET /v1/transactional`), for Messages and a person's test push. */
export function useTemplates() {
  return useAsync((signal) => App.templates(signal), []);
}
