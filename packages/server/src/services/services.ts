import type { Clock } from '../lib/clock.js';
import type { Store } from '../store/store.js';
import { WorkspaceService } from './workspaces.js';
import { TrackService } from './track/track-service.js';
import { SegmentEngine } from './segments/engine.js';
import { createMessagingServices, type MessagingServices } from './campaigns/index.js';

/** Every service, built once per server over one store and clock. Routes receive this object. */
export interface Services extends MessagingServices {
  store: Store;
  clock: Clock;
  workspaces: WorkspaceService;
  track: TrackService;
  segments: SegmentEngine;
}

export function createServices(store: Store, clock: Clock): Services {
  const workspaces = new WorkspaceService(store, clock);
  const track = new TrackService(store, clock, workspaces);
  const segments = new SegmentEngine(store, clock);
  track.personChangeListeners.push(segments.listener);
  if (store.dialect === 'postgres') track.sharedLocks = segments.sharedLocks;
  const messaging = createMessagingServices(store, clock, { track, segments, workspaces });
  return { store, clock, workspaces, track, segments, ...messaging };
}
