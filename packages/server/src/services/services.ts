import type { Clock } from '../lib/clock.js';
import type { Store } from '../store/store.js';
import { WorkspaceService } from './workspaces.js';

/** Every service, built once per server over one store and clock. Routes receive this object. */
export interface Services {
  store: Store;
  clock: Clock;
  workspaces: WorkspaceService;
}

export function createServices(store: Store, clock: Clock): Services {
  return { store, clock, workspaces: new WorkspaceService(store, clock) };
}
