import { Liquid, type FS, type Template } from 'liquidjs';
import { TemplateRenderError, TemplateSyntaxError } from './template-errors.js';
import type { TemplateContext } from './template-context.js';

/** Bounds on one template render; every template comes from a workspace user, so none is trusted. */
export interface TemplateLimits {
  /** Characters of Liquid source (liquidjs `parseLimit`). */
  maxSourceChars: number;
  /** Wall-clock milliseconds of one render (liquidjs `renderLimit`). */
  maxRenderMs: number;
  /** Approximate bytes allocated by loops and filters (liquidjs `memoryLimit`). */
  maxMemory: number;
  /** Characters of output; a push payload is at most 4 KiB anyway. */
  maxOutputChars: number;
}

export const DEFAULT_TEMPLATE_LIMITS: TemplateLimits = {
  maxSourceChars: 64 * 1024,
  // A push body renders in well under a millisecond; 200 ms only stops runaway loops.
  maxRenderMs: 200,
  maxMemory: 8 * 1024 * 1024,
  maxOutputChars: 64 * 1024,
};

export interface RenderTemplateInput {
  source: string;
  context: TemplateContext;
  limits?: Partial<TemplateLimits>;
  /** Undefined variables fail the render instead of rendering empty (the template's `strict` option). */
  strict?: boolean;
  /** Names the field in errors (`title`, `custom_data.deep_link`). */
  field?: string;
}

/** A file system that holds nothing: `include`, `render` and `layout` can never read a file. */
const refusingFs: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async (file) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  readFileSync: (file) => {
    throw new Error(`templates cannot read files (${file})`);
  },
  resolve: (_dir, file) => file,
  contains: async () => false,
  containsSync: () => false,
};

/**
 * Work charged to the render's budget (liquidjs's `memoryLimit`) by the filters that walk a whole
 * list, before they run: liquidjs checks its time limit only between template nodes, so one
 * filter over a large list escaped it (`(1..4000000) | sort_natural` rendered
 * for 3 s against a 200 ms limit). Sorting n items costs n·log2(n); the others n.
 */
const LIST_FILTER_COST: Record<string, (n: number) => number> = {
  sort: (n) => n * Math.ceil(Math.log2(n + 1)),
  sort_natural: (n) => n * Math.ceil(Math.log2(n + 1)),
  uniq: (n) => n * Math.ceil(Math.log2(n + 1)),
  where: (n) => n,
  reject: (n) => n,
  map: (n) => n,
  find: (n) => n,
  find_index: (n) => n,
  group_by: (n) => n,
  reverse: (n) => n,
  compact: (n) => n,
  concat: (n) => n,
  join: (n) => n,
  sum: (n) => n,
};

type FilterFn = (
  this: { context: { memoryLimit: { use(n: number): void } } },
  v: unknown,
  ...a: unknown[]
) => unknown;

/** How many items a filter's input holds (an array, a string's characters, an iterable's length). */
function itemsOf(v: unknown): number {
  if (Array.isArray(v) || typeof v === 'string') return v.length;
  if (v && typeof v === 'object' && typeof (v as { length?: unknown }).length === 'number')
    return (v as { length: number }).length;
  return 0;
}

/** Parsed templates keyed by source: a broadcast renders one template for every recipient. */
const PARSE_CACHE_SIZE = 500;

/**
 * Renders workspace-authored Liquid. One engine per process: its configuration is fixed and it
 * keeps no state between renders other than the parse cache.
 */
export class TemplateRenderer {
  private readonly liquid: Liquid;
  private readonly parsed = new Map<string, Template[]>();

  constructor(private readonly defaults: TemplateLimits = DEFAULT_TEMPLATE_LIMITS) {
    this.liquid = new Liquid({
      fs: refusingFs,
      root: [],
      partials: [],
      layouts: [],
      relativeReference: false,
      cache: false,
      // Unknown filters are mistakes the author should hear about at save time, with a line.
      strictFilters: true,
      strictVariables: false,
      // `{{ customer.constructor }}` and friends see only the data's own properties.
      ownPropertyOnly: true,
      parseLimit: defaults.maxSourceChars,
      renderLimit: defaults.maxRenderMs,
      memoryLimit: defaults.maxMemory,
    });
    const filters = this.liquid.filters as Record<string, FilterFn | undefined>;
    for (const [name, cost] of Object.entries(LIST_FILTER_COST)) {
      const original = filters[name];
      if (!original) continue;
      this.liquid.registerFilter(name, function (
        this: ThisParameterType<FilterFn>,
        v: unknown,
        ...args: unknown[]
      ) {
        this.context.memoryLimit.use(cost(itemsOf(v)));
        return original.call(this, v, ...args);
      } as never);
    }
    // Refuse file-based tags when parsing, so the author gets a syntax error with a line number
    // rather than a failure at send time.
    for (const tag of ['include', 'render', 'layout']) {
      this.liquid.registerTag(tag, {
        parse() {
          throw new Error(`the "${tag}" tag is not available: templates cannot read files`);
        },
        // Never reached: parsing already failed.
        render() {
          return '';
        },
      });
    }
  }

  /** Parses (and caches) the source; throws `TemplateSyntaxError` with the line of the first error. */
  parse(source: string, field?: string, limits?: Partial<TemplateLimits>): Template[] {
    const cached = this.parsed.get(source);
    if (cached) return cached;
    const max = limits?.maxSourceChars ?? this.defaults.maxSourceChars;
    if (source.length > max) {
      throw new TemplateSyntaxError(`template is longer than ${max} characters`, null, null, field ?? null);
    }
    let tpl: Template[];
    try {
      tpl = this.liquid.parse(source);
    } catch (err) {
      const [line, column] = position(err);
      throw new TemplateSyntaxError(reasonOf(err), line, column, field ?? null);
    }
    if (this.parsed.size >= PARSE_CACHE_SIZE) {
      const oldest = this.parsed.keys().next().value;
      if (oldest !== undefined) this.parsed.delete(oldest);
    }
    this.parsed.set(source, tpl);
    return tpl;
  }

  /** Renders; throws `TemplateSyntaxError` or `TemplateRenderError`. */
  async render(input: RenderTemplateInput): Promise<string> {
    const limits = { ...this.defaults, ...input.limits };
    const tpl = this.parse(input.source, input.field, input.limits);
    let out: unknown;
    try {
      out = await this.liquid.render(tpl, input.context, {
        strictVariables: input.strict === true,
        ownPropertyOnly: true,
        renderLimit: limits.maxRenderMs,
        memoryLimit: limits.maxMemory,
      });
    } catch (err) {
      const message = reasonOf(err);
      const reason = /undefined variable/i.test(message)
        ? 'undefined_variable'
        : /limit exceeded/i.test(message)
          ? 'limit'
          : 'render';
      throw new TemplateRenderError(reason, message, position(err)[0], input.field ?? null);
    }
    const text = String(out);
    if (text.length > limits.maxOutputChars) {
      throw new TemplateRenderError(
        'limit',
        `output longer than ${limits.maxOutputChars} characters`,
        null,
        input.field ?? null,
      );
    }
    return text;
  }
}

interface LiquidLikeError {
  message?: string;
  originalError?: { message?: string };
  token?: { getPosition?: () => number[] };
  errors?: LiquidLikeError[];
}

function position(err: unknown): [number | null, number | null] {
  const e = (err ?? {}) as LiquidLikeError;
  const first = e.errors?.[0] ?? e;
  try {
    const pos = first.token?.getPosition?.();
    if (pos && typeof pos[0] === 'number') return [pos[0], pos[1] ?? null];
  } catch {
    // A token without input (internal errors) has no position.
  }
  return [null, null];
}

/** The error text without liquidjs's source excerpt and `, line:1, col:3` suffix. */
function reasonOf(err: unknown): string {
  const e = (err ?? {}) as LiquidLikeError;
  const first = e.errors?.[0] ?? e;
  const raw = first.originalError?.message ?? first.message ?? String(err);
  return raw.split('\n')[0]!.replace(/, line:\d+, col:\d+$/, '');
}

/** Renders one Liquid source with the default limits, e.g.
 * `await renderTemplate({ source: 'Hi {{customer.first_name}}', context })`. */
export async function renderTemplate(
  input: RenderTemplateInput,
  renderer: TemplateRenderer = defaultRenderer(),
): Promise<string> {
  return renderer.render(input);
}

let shared: TemplateRenderer | undefined;
/** Lazily created so importing the module costs nothing. */
function defaultRenderer(): TemplateRenderer {
  shared ??= new TemplateRenderer();
  return shared;
}
