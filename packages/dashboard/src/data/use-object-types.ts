import { App } from '../api/endpoints';
import { useAsync } from '../lib/use-async';

/** The workspace's object types (`GET /v1/object_types`): the Objects pages and the builder name them. */
export function useObjectTypes() {
  return useAsync((signal) => App.objectTypes(signal), []);
}
