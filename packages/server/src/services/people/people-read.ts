import type { AppCustomer } from '@roster/protocol';
import type { Store } from '../../store/store.js';
import {
  devicesOf,
  peopleByIdentifier,
  type DeviceRow,
  type PersonRow,
} from '../../store/people/people-read.js';
import { InvalidInputError, NotFoundError } from '../../lib/errors.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { customerView } from './customer-view.js';
import { lookupKey, type IdType } from '../query/id-type.js';
import { emailKey } from '../identity/email.js';

/** Reads people back: one profile, a batch of profiles, lookups by email. */
export class PeopleReadService {
  constructor(private readonly store: Store) {}

  /** The person a `{customer_id}` + `id_type` names, or a NotFoundError (404). */
  async resolve(workspace: Workspace, idType: IdType, value: string): Promise<PersonRow> {
    const key = lookupKey(idType, value);
    const [person] = await peopleByIdentifier(this.store.db, workspace.id, key.column, [key.value]);
    if (!person) throw new NotFoundError();
    return person;
  }

  async customer(workspace: Workspace, idType: IdType, value: string): Promise<AppCustomer> {
    const person = await this.resolve(workspace, idType, value);
    const devices = await devicesOf(this.store.db, workspace.id, [person.pid]);
    return customerView(person, devices);
  }

  /** Profiles for up to 100 identifiers, in request order; unknown ones are left out. */
  async customers(workspace: Workspace, idType: IdType, ids: readonly string[]): Promise<AppCustomer[]> {
    const keys = ids.map((v) => lookupKey(idType, v));
    const column = keys[0]!.column;
    const people = await peopleByIdentifier(this.store.db, workspace.id, column, [
      ...new Set(keys.map((k) => k.value)),
    ]);
    const devices = await devicesOf(
      this.store.db,
      workspace.id,
      people.map((p) => p.pid),
    );
    const devicesByPid = new Map<number, DeviceRow[]>();
    for (const d of devices) {
      const list = devicesByPid.get(Number(d.person_pid)) ?? [];
      list.push(d);
      devicesByPid.set(Number(d.person_pid), list);
    }
    const byKey = new Map(
      people.map((p) => [column === 'id' ? p.id : column === 'cio_id' ? p.cio_id : p.email_norm, p]),
    );
    const seen = new Set<number>();
    const out: AppCustomer[] = [];
    for (const k of keys) {
      const p = byKey.get(k.value);
      if (!p || seen.has(p.pid)) continue;
      seen.add(p.pid);
      out.push(customerView(p, devicesByPid.get(p.pid) ?? []));
    }
    return out;
  }

  /** `GET /v1/customers?email=`: every person with that email, case-insensitively (0 or 1 here). */
  async byEmail(
    workspace: Workspace,
    email: unknown,
  ): Promise<Array<{ cio_id: string; email: string | null; id: string | null }>> {
    if (typeof email !== 'string' || email === '')
      throw new InvalidInputError('email', 'email is required', 'required');
    const people = await peopleByIdentifier(this.store.db, workspace.id, 'email_norm', [emailKey(email)]);
    return people.map((p) => ({ cio_id: p.cio_id, email: p.email, id: p.id }));
  }
}
