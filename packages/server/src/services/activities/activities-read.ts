import type { ActivitiesPage } from '@roster/protocol';
import type { Store } from '../../store/store.js';
import { listActivities, type ActivityQuery } from '../../store/activities/activities-read.js';
import { InvalidInputError, NotFoundError } from '../../lib/errors.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { activityViews } from './activity-view.js';
import { decodeCursor, encodeCursor } from '../query/cursor.js';
import { lookupKey, type IdType } from '../query/id-type.js';
import type { PeopleReadService } from '../people/people-read.js';

export interface ActivityFilters {
  start?: string | undefined;
  limit: number;
  type?: string | undefined;
  name?: string | undefined;
}

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Activity history, newest first, keyset-paginated on the ULID id. */
export class ActivitiesReadService {
  constructor(
    private readonly store: Store,
    private readonly people: PeopleReadService,
  ) {}

  /** `GET /v1/customers/:id/activities`: 404 when the person does not exist. */
  async ofCustomer(
    workspace: Workspace,
    idType: IdType,
    value: string,
    f: ActivityFilters,
  ): Promise<ActivitiesPage> {
    const person = await this.people.resolve(workspace, idType, value);
    return this.page({ workspaceId: workspace.id, personPid: person.pid, deleted: false }, f);
  }

  /**
   * `GET /v1/activities`: the whole workspace, or one person's. `deleted=true` lists the history
   * of deleted people, found by the identifiers recorded with each activity. An unknown person
   * gives an empty list (this route documents no 404).
   */
  async list(
    workspace: Workspace,
    f: ActivityFilters & { deleted: boolean; customer?: { idType: IdType; value: string } | undefined },
  ): Promise<ActivitiesPage> {
    const q: Omit<ActivityQuery, 'limit'> = { workspaceId: workspace.id, deleted: f.deleted };
    if (f.customer) {
      const key = lookupKey(f.customer.idType, f.customer.value);
      if (f.deleted) {
        q.identifier = { key: key.column === 'email_norm' ? 'email' : key.column, value: key.value };
      } else {
        try {
          q.personPid = (await this.people.resolve(workspace, f.customer.idType, f.customer.value)).pid;
        } catch (err) {
          if (err instanceof NotFoundError) return { activities: [], next: '' };
          throw err;
        }
      }
    }
    return this.page(q, f);
  }

  private async page(q: Omit<ActivityQuery, 'limit'>, f: ActivityFilters): Promise<ActivitiesPage> {
    const before = decodeCursor('a', f.start);
    if (before !== undefined && !ULID.test(before))
      throw new InvalidInputError('start', 'start is not a valid page token');
    const rows = await listActivities(this.store.db, this.store.dialect, {
      ...q,
      type: f.type || undefined,
      name: f.name || undefined,
      beforeId: before,
      limit: f.limit + 1,
    });
    // A row may stand for two activities (a new person's create_change): keep the ones this
    // page asks for, and below the cursor (a page can end between the two).
    const shown = rows
      .flatMap(activityViews)
      .filter(
        (a) =>
          (before === undefined || a.id < before) &&
          (!f.type || a.type === f.type) &&
          (!f.name || a.type !== 'profile_create'),
      );
    const page = shown.slice(0, f.limit);
    const last = page[page.length - 1];
    return {
      activities: page,
      next: shown.length > f.limit && last ? encodeCursor('a', last.id) : '',
    };
  }
}
