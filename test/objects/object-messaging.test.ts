import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../packages/server/src/services/services.js';
import type { Store } from '../../packages/server/src/store/store.js';
import { engines } from '../helpers/postgres.js';
import { objectsApp, type ObjectsApp } from './helpers.js';
import { BroadcastRunner } from '../../packages/server/src/messaging/campaigns/broadcast-runner.js';
import { CampaignSendRunner } from '../../packages/server/src/messaging/campaigns/send-runner.js';

/**
 * Objects in messaging, in process on each engine: templates read a person's related objects and
 * relationship attributes (preview, transactional sends, campaigns), and campaigns triggered by an
 * object's change message its related people.
 */
describe.each(engines())('objects in templates and campaigns on %s', (engine) => {
  let h: ObjectsApp | undefined;
  let store: Store;
  let services: Services;

  beforeAll(async () => {
    h = await objectsApp(engine, 'objmsg');
    ({ store, services } = h);
    expect((await appApi('PUT', '/v1/workspace/push-providers/log')).statusCode).toBe(200);
    expect(
      (await appApi('POST', '/v1/object_types', { name: 'Companies', singular_name: 'Company' })).statusCode,
    ).toBe(200);
    for (const p of ['dana', 'eve', 'finn']) {
      await trackCall('PUT', `/api/v1/customers/${p}`, { first_name: p[0]!.toUpperCase() + p.slice(1) });
      await trackCall('PUT', `/api/v1/customers/${p}/devices`, {
        device: { id: `${p}-phone`, platform: 'ios' },
      });
    }
  });
  afterAll(() => h?.close());

  const trackCall = (method: 'PUT' | 'POST', url: string, payload: object) =>
    h!.trackCall(method, url, payload);
  const entity = (op: object) => h!.entity(op);
  const appApi = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
    h!.appApi(method, url, payload);
  const company = (id: string, attributes: object, rels: Array<[string, object]> = []) =>
    h!.company(id, attributes, rels);
  /** The titles and bodies queued for a person, oldest first. */
  const messagesOf = async (personId: string) => {
    const rows = await store.db
      .selectFrom('messages')
      .innerJoin('people', 'people.pid', 'messages.person_pid')
      .select(['messages.title', 'messages.body', 'messages.campaign_id'])
      .where('people.id', '=', personId)
      .orderBy('messages.created_at')
      .orderBy('messages.delivery_id')
      .execute();
    return rows.map((r) => ({ title: r.title, body: r.body, campaign: r.campaign_id }));
  };

  const LOOP =
    '{% for company in objects.companies %}{{ company.name }}:{{ company.relationship.role }}:{{ company.object_id }};{% endfor %}';

  it('a template loops over the person’s companies with their relationship attributes (preview and sends)', async () => {
    await company('acme', { name: 'Acme', plan: 'pro' }, [['dana', { role: 'admin' }]]);
    await company('globex', { name: 'Globex' }, [['dana', { role: 'member' }]]);
    const preview = await appApi('POST', '/v1/templates/preview', {
      template: { title: 'Hi {{ customer.first_name }}', message: LOOP },
      customer_id: 'dana',
    });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json()).toMatchObject({ rendered: { message: 'Acme:admin:acme;Globex:member:globex;' } });

    // Someone with no objects renders the loop empty; nobody is refused.
    const none = await appApi('POST', '/v1/templates/preview', {
      template: { title: 'x', message: '[{{ objects.companies | size }}]' },
      customer_id: 'eve',
    });
    expect(none.json()).toMatchObject({ rendered: { message: '[0]' } });

    // A transactional send renders the same at queue time.
    expect(
      (await appApi('POST', '/v1/transactional', { name: 'accounts', title: 'Accounts', message: LOOP }))
        .statusCode,
    ).toBe(200);
    const sent = await appApi('POST', '/v1/send/push', {
      identifiers: { id: 'dana' },
      transactional_message_id: 'accounts',
    });
    expect(sent.statusCode, sent.body).toBe(200);
    expect((await messagesOf('dana')).at(-1)).toMatchObject({
      body: 'Acme:admin:acme;Globex:member:globex;',
    });
  });

  it('at most 50 objects of a type are loaded per render', async () => {
    await entity({
      type: 'person',
      action: 'add_relationships',
      identifiers: { id: 'finn' },
      cio_relationships: Array.from({ length: 60 }, (_, i) => ({
        identifiers: { object_type_id: '2', object_id: `class-${i}` },
      })),
    });
    const r = await appApi('POST', '/v1/templates/preview', {
      template: {
        title: 'x',
        message: '{{ objects.objects_2 | size }} {{ objects.objects_2[0].object_id }}',
      },
      customer_id: 'finn',
    });
    expect(r.json()).toMatchObject({ rendered: { message: '50 class-0' } });
  });

  /**
   * Runs the fan-outs queued so far to the end, then renders the sends they decided, as
   * `roster serve`'s broadcast and campaign send runners do.
   */
  const fanOut = async () => {
    const runner = new BroadcastRunner(store, services.clock, services.campaigns, { pageSize: 2 });
    while (await runner.runOnce());
    const sends = new CampaignSendRunner(
      store,
      services.clock,
      services.messaging,
      services.campaigns,
      services.transactional,
      { batch: 2 },
    );
    while (await sends.runOnce());
  };
  const fanOuts = async () =>
    Number(
      (
        await store.db
          .selectFrom('broadcast_triggers')
          .select((eb) => eb.fn.countAll<number | string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('a campaign triggered by an object’s change messages its admins, with trigger.object and trigger.relationship', async () => {
    await company('acme', {}, [
      ['eve', { role: 'member' }],
      ['finn', { role: 'admin' }],
    ]);
    const created = await appApi('POST', '/v1/campaigns', {
      name: 'Upgraded',
      type: 'triggered',
      trigger: {
        object_changed: {
          type_id: '1',
          attributes: ['plan'],
          where: { attribute: { field: 'plan', operator: 'eq', value: 'enterprise' } },
          relationship: { attribute: { field: 'role', operator: 'eq', value: 'admin' } },
        },
      },
      template: {
        title: 'Upgraded',
        message:
          '{{ trigger.object.name }} is {{ trigger.object.plan }} ({{ trigger.company.object_id }}, {{ trigger.relationship.role }}) for {{ customer.first_name }}',
      },
    });
    expect(created.statusCode, created.body).toBe(200);
    const campaignId = (created.json() as { campaign: { id: number } }).campaign.id;
    const before = await fanOuts();

    // Another attribute, then a plan the object filter refuses: nothing is queued.
    await company('acme', { name: 'Acme Inc' });
    await company('acme', { plan: 'team' });
    expect(await fanOuts()).toBe(before);

    // The plan becomes enterprise: one fan-out row in the write, sent to the admins only.
    await company('acme', { plan: 'enterprise' });
    expect(await fanOuts()).toBe(before + 1);
    await fanOut();
    const sent = async (p: string) => (await messagesOf(p)).filter((m) => m.campaign === campaignId);
    expect(await sent('dana')).toEqual([
      { title: 'Upgraded', body: 'Acme Inc is enterprise (acme, admin) for Dana', campaign: campaignId },
    ]);
    expect(await sent('finn')).toEqual([
      { title: 'Upgraded', body: 'Acme Inc is enterprise (acme, admin) for Finn', campaign: campaignId },
    ]);
    expect(await sent('eve')).toEqual([]);

    // Paused: object changes queue nothing.
    expect((await appApi('PUT', `/v1/campaigns/${campaignId}`, { active: false })).statusCode).toBe(200);
    await company('acme', { plan: 'team' });
    await company('acme', { plan: 'enterprise' });
    expect(await fanOuts()).toBe(before + 1);
  });

  it('an object trigger is checked when saved, with a message naming the field', async () => {
    const bad = async (trigger: object) => {
      const r = await appApi('POST', '/v1/campaigns', {
        name: 'bad',
        type: 'triggered',
        trigger,
        template: { title: 'x', message: 'y' },
      });
      expect(r.statusCode).toBe(400);
      return r.body;
    };
    expect(await bad({ object_changed: { type_id: '9' } })).toContain('object type 9 does not exist');
    expect(await bad({ object_changed: { type_id: '1', attributes: [] } })).toContain('attributes must be');
    expect(await bad({ object_changed: { type_id: '1', relationship: { segment: { id: 1 } } } })).toContain(
      '/trigger/object_changed/relationship',
    );
    expect(await bad({ object_changed: { type_id: '1', audience: 'all' } })).toContain(
      'unknown field audience',
    );
  });
});
