import { NotFoundError } from '../errors.js';
import type { Workspace } from '../workspace-types.js';
import type { IdType } from './id-type.js';
import type { PeopleReadService } from './people-read.js';

/**
 * Message (delivery) read-back. Roster records no messages yet (messaging is a later issue), so
 * every id is unknown and every list is empty, in the documented shapes (spec §4.10, §5.2 #10).
 */
export class MessagesReadService {
  constructor(private readonly people: PeopleReadService) {}

  async get(_workspace: Workspace, _id: string): Promise<never> {
    throw new NotFoundError();
  }

  async list(_workspace: Workspace): Promise<{ messages: unknown[]; next: string }> {
    return { messages: [], next: '' };
  }

  /** 404 for an unknown person, as on every per-person route. */
  async ofCustomer(
    workspace: Workspace,
    idType: IdType,
    value: string,
  ): Promise<{ messages: unknown[]; next: string }> {
    await this.people.resolve(workspace, idType, value);
    return { messages: [], next: '' };
  }
}
