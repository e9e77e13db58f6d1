import type { Clock } from '../lib/clock.js';
import type { Store } from '../store/store.js';
import { ActivitiesReadService } from './activities/activities-read.js';
import { ActivityStatsService } from './activities/activity-stats.js';
import { MessagesReadService } from './messages/messages-read.js';
import { ObjectsReadService } from './objects/objects-read.js';
import { ObjectTypesService } from './objects/object-types.js';
import { PeopleReadService } from './people/people-read.js';
import { SearchService } from './people/search.js';
import { AttributeIndexService } from './people/attribute-indexes.js';
import { SegmentsService } from './segments/segments-service.js';

/** The read side behind the App API, built once per server. */
export interface AppServices {
  people: PeopleReadService;
  search: SearchService;
  /** Indexed person attributes (docs/app-api.md "Indexed attributes"). */
  attributeIndexes: AttributeIndexService;
  activities: ActivitiesReadService;
  activityStats: ActivityStatsService;
  segments: SegmentsService;
  messages: MessagesReadService;
  objects: ObjectsReadService;
  objectTypes: ObjectTypesService;
}

export function createAppServices(store: Store, clock: Clock): AppServices {
  const people = new PeopleReadService(store);
  return {
    people,
    search: new SearchService(store),
    attributeIndexes: new AttributeIndexService(store, clock),
    activities: new ActivitiesReadService(store, people),
    activityStats: new ActivityStatsService(store, clock),
    segments: new SegmentsService(store, clock, people),
    messages: new MessagesReadService(store, people),
    objects: new ObjectsReadService(store, people),
    objectTypes: new ObjectTypesService(store, clock),
  };
}
