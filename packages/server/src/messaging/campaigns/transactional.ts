import type { Clock } from '../../lib/clock.js';
import { unixSeconds } from '../../lib/clock.js';
import type { PushTemplate, TemplateRenderer } from '../index.js';
import {
  insertTransactional,
  transactionalById,
  transactionalByName,
  transactionalOf,
  updateTransactional,
  type TransactionalRow,
} from '../../store/campaigns/transactional.js';
import { parseJson, toJson, type Store, type Tx } from '../../store/store.js';
import { ConflictError, NotFoundError } from '../../lib/errors.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { checkTemplate } from '../templates/template-input.js';
import type { TransactionalWrite } from './transactional-input.js';

export interface TransactionalMessage {
  id: number;
  name: string;
  template: PushTemplate;
  createdAt: number;
  updatedAt: number;
}

/** `GET /v1/transactional[/:id]` item: Customer.io's fields that apply, plus the push template's. */
export function transactionalView(m: TransactionalMessage): Record<string, unknown> {
  return {
    id: m.id,
    name: m.name,
    description: '',
    type: 'push',
    title: m.template.title,
    message: m.template.message,
    image_url: m.template.image_url ?? null,
    link: m.template.link ?? null,
    sound: m.template.sound ?? null,
    custom_data: m.template.custom_data ?? null,
    send_to_unsubscribed: true,
    queue_drafts: false,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
  };
}

const toMessage = (r: TransactionalRow): TransactionalMessage => ({
  id: Number(r.id),
  name: r.name,
  template: parseJson<PushTemplate>(r.template),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

/** Transactional push templates: stored, validated with Liquid at save, found by id or trigger name. */
export class TransactionalService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly renderer: TemplateRenderer,
  ) {}

  async list(ws: Workspace): Promise<TransactionalMessage[]> {
    return (await transactionalOf(this.store.db, ws.id)).map(toMessage);
  }

  async get(ws: Workspace, rawId: string): Promise<TransactionalMessage> {
    if (!/^\d+$/.test(rawId)) throw new NotFoundError();
    const found = await this.byId(this.store.db, ws.id, Number(rawId));
    if (!found) throw new NotFoundError();
    return found;
  }

  async byId(trx: Tx, workspaceId: number, id: number): Promise<TransactionalMessage | undefined> {
    // Digits past a safe integer name no template (and PostgreSQL would refuse them as bigint).
    if (!Number.isSafeInteger(id)) return undefined;
    const row = await transactionalById(trx, workspaceId, id);
    return row && toMessage(row);
  }

  /** `transactional_message_id`: a numeric id (number or digits), else a case-insensitive name. */
  async resolve(trx: Tx, workspaceId: number, ref: unknown): Promise<TransactionalMessage | undefined> {
    if (typeof ref === 'number' && Number.isSafeInteger(ref)) return this.byId(trx, workspaceId, ref);
    if (typeof ref !== 'string' || ref.trim() === '') return undefined;
    if (/^\d+$/.test(ref)) {
      const byId = await this.byId(trx, workspaceId, Number(ref));
      if (byId) return byId;
    }
    const row = await transactionalByName(trx, workspaceId, ref.trim());
    return row && toMessage(row);
  }

  async create(ws: Workspace, write: TransactionalWrite): Promise<TransactionalMessage> {
    const { name, template } = this.checked(write);
    const now = unixSeconds(this.clock);
    return this.store.transaction(async (trx) => {
      await this.checkNameFree(trx, ws.id, name, null);
      return toMessage(await insertTransactional(trx, ws.id, { name, template: toJson(template) }, now));
    });
  }

  async update(ws: Workspace, rawId: string, write: TransactionalWrite): Promise<TransactionalMessage> {
    const existing = await this.get(ws, rawId);
    const { name, template } = this.checked(write);
    const now = unixSeconds(this.clock);
    return this.store.transaction(async (trx) => {
      await this.checkNameFree(trx, ws.id, name, existing.id);
      return toMessage(
        await updateTransactional(trx, ws.id, existing.id, { name, template: toJson(template) }, now),
      );
    });
  }

  /** The write with its template's Liquid checked (a syntax error is a 400 naming the field). */
  private checked(write: TransactionalWrite): TransactionalWrite {
    return { name: write.name, template: checkTemplate(this.renderer, write.template) };
  }

  private async checkNameFree(
    trx: Tx,
    workspaceId: number,
    name: string,
    except: number | null,
  ): Promise<void> {
    if (await transactionalByName(trx, workspaceId, name, except))
      throw new ConflictError('/name', `a transactional message named ${name} exists`);
  }
}
