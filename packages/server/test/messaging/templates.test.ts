import { describe, expect, it } from 'vitest';
import { buildTemplateContext } from '../../src/messaging/templates/template-context.js';
import { TemplateRenderError, TemplateSyntaxError } from '../../src/messaging/templates/template-errors.js';
import { renderTemplate, TemplateRenderer } from '../../src/messaging/templates/template-render.js';
import { renderPushTemplate, validatePushTemplate } from '../../src/messaging/templates/push-template.js';

const context = buildTemplateContext({
  identifiers: { id: 'u1', email: 'ada@example.com', cio_id: 'c1' },
  attributes: { first_name: 'Ada', plan: { tier: 'pro', seats: [3, 5] }, id: 'not-this' },
  event: { name: 'purchase', total: 42 },
  device: {
    token: 't1',
    platform: 'ios',
    lastUsed: 1700000000,
    lastStatus: 'sent',
    attributes: { app_version: '2.1', device_locale: 'en-GB' },
  },
  trigger: { code: 'XYZ' },
});
// The render-time bound (200 ms by default) stops runaway loops; a busy machine can stall a trivial
// render that long, so tests that are not about the bound give it all the time a test has.
const render = (source: string, strict = false) =>
  renderTemplate({ source, context, strict, limits: { maxRenderMs: 30_000 } });

describe('renderTemplate', () => {
  it('renders customer, nested attributes, identifiers, event, device and trigger', async () => {
    expect(
      await render('Hi {{customer.first_name}} ({{customer.id}}, {{customer.email}}, {{customer.cio_id}})'),
    ).toBe('Hi Ada (u1, ada@example.com, c1)');
    expect(
      await render('{{customer.plan.tier}}/{{customer.plan.seats[1]}}/{{customer.plan.seats | size}}'),
    ).toBe('pro/5/2');
    expect(await render('{{event.name}}:{{event.total | plus: 1}}')).toBe('purchase:43');
    expect(
      await render('{{device.platform}} {{device.last_used}} {{device._last_status}} {{device.app_version}}'),
    ).toBe('ios 1700000000 sent 2.1');
    expect(await render('{{trigger.code | downcase}}')).toBe('xyz');
  });

  it('renders missing values as empty, unless the template is strict', async () => {
    expect(await render('[{{customer.nope}}][{{customer.plan.nope.deeper}}]')).toBe('[][]');
    await expect(render('{{customer.nope}}', true)).rejects.toMatchObject({
      name: 'TemplateRenderError',
      reason: 'undefined_variable',
    });
    expect(await render('{{customer.first_name}}', true)).toBe('Ada');
  });

  it('reports syntax errors with their line number', async () => {
    const err = await render('line one\nline two\n{% if customer.x %}\nno endif').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemplateSyntaxError);
    expect((err as TemplateSyntaxError).line).toBe(3);
    const unclosed = await render('ok\n{{ customer.first_name').catch((e: unknown) => e);
    expect(unclosed).toBeInstanceOf(TemplateSyntaxError);
    expect((unclosed as TemplateSyntaxError).line).toBe(2);
    expect((unclosed as Error).message).toMatch(/line 2/);
    const filter = await render('\n\n{{ "x" | no_such_filter }}').catch((e: unknown) => e);
    expect(filter).toBeInstanceOf(TemplateSyntaxError);
    expect((filter as TemplateSyntaxError).line).toBe(3);
  });

  it('gives templates no way to the process, prototypes or files', async () => {
    expect(await render('[{{ customer.constructor }}][{{ customer.constructor.name }}]')).toBe('[][]');
    expect(await render('[{{ customer.__proto__ }}][{{ customer["__proto__"].polluted }}]')).toBe('[][]');
    expect(await render('[{{ customer.first_name.constructor.constructor }}][{{ customer.toString }}]')).toBe(
      '[][]',
    );
    expect(await render('[{{ customer.hasOwnProperty }}][{{ process }}][{{ global.process }}]')).toBe(
      '[][][]',
    );
    // A filter named after a prototype property is not a filter.
    await expect(render('{{ "x" | constructor }}')).rejects.toBeInstanceOf(TemplateSyntaxError);
    await expect(render('{{ "x" | __proto__ }}')).rejects.toBeInstanceOf(TemplateSyntaxError);
    for (const tag of [
      "{% include '/etc/passwd' %}",
      "{% render '/etc/passwd' %}",
      "{% layout '/etc/passwd' %}",
    ]) {
      const err = await render(`a\n${tag}`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TemplateSyntaxError);
      expect((err as TemplateSyntaxError).line).toBe(2);
      expect(String((err as Error).message)).not.toMatch(/root:/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Assigning to a prototype path stays inside the template's scope.
    expect(await render('{% assign __proto__ = "x" %}{{ customer.first_name }}')).toBe('Ada');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('bounds render time, memory, output and source size', async () => {
    const renderer = new TemplateRenderer();
    const slow = '{% for a in (1..100000) %}{% for b in (1..100000) %}x{% endfor %}{% endfor %}';
    await expect(
      renderer.render({ source: slow, context, limits: { maxRenderMs: 50 } }),
    ).rejects.toBeInstanceOf(TemplateRenderError);
    const big = '{% for a in (1..2000) %}0123456789{% endfor %}';
    await expect(
      renderer.render({ source: big, context, limits: { maxOutputChars: 1000 } }),
    ).rejects.toMatchObject({
      reason: 'limit',
    });
    const memory =
      '{{ "x" | append: "y" | split: "" | join: "0123456789" }}{% assign s = (1..1000000) | join: "," %}';
    await expect(
      renderer.render({ source: memory, context, limits: { maxMemory: 10_000 } }),
    ).rejects.toMatchObject({
      reason: 'limit',
    });
    await expect(
      renderer.render({ source: 'x'.repeat(100), context, limits: { maxSourceChars: 10 } }),
    ).rejects.toBeInstanceOf(TemplateSyntaxError);
  });

  it('counts the work of a single filter over a large list', async () => {
    // liquidjs checks its time limit between template nodes only: this one sort ran for 3 s against
    // a 200 ms limit. Its n·log n work is charged before it runs, so it is refused at once.
    const renderer = new TemplateRenderer();
    for (const filter of ['sort_natural', 'sort', 'uniq', 'reverse | join: ","', 'map: "x"']) {
      await expect(
        renderer.render({ source: `{% assign r = (1..4000000) %}{{ r | ${filter} | size }}`, context }),
        filter,
      ).rejects.toMatchObject({ reason: 'limit' });
    }
    // Everyday lists are untouched.
    expect(await renderer.render({ source: '{{ "c,a,b" | split: "," | sort | join: "" }}', context })).toBe(
      'abc',
    );
    expect(
      await renderer.render({ source: '{% assign r = (1..1000) %}{{ r | sort | size }}', context }),
    ).toBe('1000');
  });
});

describe('push templates', () => {
  const renderer = new TemplateRenderer();
  it('renders every field, custom_data to strings', async () => {
    const out = await renderPushTemplate(
      renderer,
      {
        title: 'Hi {{customer.first_name}}',
        message: 'Your {{event.name}}',
        image_url: 'https://img/{{customer.id}}.png',
        link: 'app://order/{{trigger.code}}',
        sound: 'default',
        custom_data: { seats: '{{customer.plan.seats[0]}}', fixed: 'v' },
      },
      context,
      { maxRenderMs: 30_000 },
    );
    expect(out).toEqual({
      title: 'Hi Ada',
      body: 'Your purchase',
      imageUrl: 'https://img/u1.png',
      link: 'app://order/XYZ',
      sound: 'default',
      customData: { seats: '3', fixed: 'v' },
    });
  });

  it('names the field and line of a syntax error', () => {
    let err: unknown;
    try {
      validatePushTemplate(renderer, { title: 'ok', message: 'a\nb {{ customer. }' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TemplateSyntaxError);
    expect(err).toMatchObject({ field: 'message', line: 2 });
  });
});
