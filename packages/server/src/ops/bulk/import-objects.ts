import type { TrackWrite } from '../../services/track/context.js';
import type { Workspace } from '../../store/workspaces/workspace.js';
import { identifierKind, RowError, typedValue, v2, type ColumnType, type RowOptions } from './import-rows.js';
import { unguardFormula } from './csv.js';

/** Columns `roster export objects --format csv` writes that are not attributes. */
export const OBJECT_META_COLUMNS = new Set([
  'object_type_id',
  '_cio_object_id',
  '_created_at',
  '_updated_at',
]);

/**
 * The columns of an objects or relationships CSV (docs/import-export.md "Objects and
 * relationships"), resolved once from its header. Objects: `object_id` (or `--id-column`) names
 * the object, the type comes from an `object_type_id` column or `--object-type`, every other
 * column is an attribute. Relationships: `object_id` and the type name the object, `id` (else
 * `email`, or `--id-column`) names the person, every other column is a relationship attribute.
 * Each row becomes one Track API v2 operation, validated as `POST /api/v2/batch` validates it.
 */
export class ObjectCsvMapper {
  readonly header: string[];
  private readonly types: ColumnType[];
  private readonly typeIndex: number;
  private readonly objectIndex: number;
  private readonly personIndex: number;
  private readonly fallbackIndex: number;

  constructor(
    header: string[],
    private readonly workspace: Workspace,
    private readonly options: RowOptions & { kind: 'objects' | 'relationships' },
  ) {
    this.header = header.map(unguardFormula);
    const seen = new Set<string>();
    for (const h of this.header) {
      if (h === '') throw new Error('the header has an empty column name');
      if (seen.has(h)) throw new Error(`the header names column ${h} twice`);
      seen.add(h);
    }
    this.typeIndex = this.header.indexOf('object_type_id');
    if (this.typeIndex < 0 && options.objectType === undefined)
      throw new Error(`an ${options.kind} CSV needs an object_type_id column or --object-type`);
    const objectColumn = options.kind === 'objects' ? (options.idColumn ?? 'object_id') : 'object_id';
    this.objectIndex = this.header.indexOf(objectColumn);
    if (this.objectIndex < 0) throw new Error(`the header has no column ${objectColumn}`);
    if (options.kind === 'relationships') {
      const personColumn =
        options.idColumn ?? (seen.has('id') ? 'id' : seen.has('email') ? 'email' : undefined);
      if (!personColumn)
        throw new Error('no person column: name one with --id-column (the header has no id or email)');
      this.personIndex = this.header.indexOf(personColumn);
      if (this.personIndex < 0) throw new Error(`the header has no column ${personColumn}`);
      this.fallbackIndex =
        options.idColumn === undefined && personColumn === 'id' ? this.header.indexOf('email') : -1;
    } else {
      this.personIndex = -1;
      this.fallbackIndex = -1;
    }
    for (const name of Object.keys(options.types ?? {}))
      if (!seen.has(name)) throw new Error(`--type names column ${name}, which the header does not have`);
    this.types = this.header.map((h) => options.types?.[h] ?? 'auto');
  }

  writes(raw: string[]): TrackWrite[] {
    const fields = raw.map(unguardFormula);
    if (fields.length !== this.header.length)
      throw new RowError(`expected ${this.header.length} fields, found ${fields.length}`);
    const typeId = this.typeIndex >= 0 ? fields[this.typeIndex]!.trim() : this.options.objectType!;
    if (typeId === '') throw new RowError('object_type_id is empty');
    const objectId = fields[this.objectIndex]!;
    if (objectId.trim() === '') throw new RowError(`${this.header[this.objectIndex]} is empty`);
    const object = { object_type_id: typeId, object_id: objectId };
    let personIndex = this.personIndex;
    if (
      personIndex >= 0 &&
      fields[personIndex]!.trim() === '' &&
      this.fallbackIndex >= 0 &&
      fields[this.fallbackIndex]!.trim() !== ''
    )
      personIndex = this.fallbackIndex;
    const attributes: Record<string, unknown> = {};
    for (let i = 0; i < fields.length; i++) {
      if (i === this.objectIndex || i === this.typeIndex || i === personIndex || i === this.fallbackIndex)
        continue;
      const name = this.header[i]!;
      if (OBJECT_META_COLUMNS.has(name)) continue;
      const value = typedValue(fields[i]!, this.types[i]!, name);
      if (value !== undefined) attributes[name] = value;
    }
    if (this.options.kind === 'objects')
      return [v2({ type: 'object', action: 'identify', identifiers: object, attributes }, this.workspace)];
    const personValue = fields[personIndex]!.trim();
    if (personValue === '')
      throw new RowError(
        `${this.header[personIndex]} is empty${this.fallbackIndex >= 0 ? ' (and so is email)' : ''}`,
      );
    const kind = identifierKind(this.header[personIndex]!, personValue, this.options);
    return [
      v2(
        {
          type: 'person',
          action: 'add_relationships',
          identifiers: { [kind]: personValue },
          cio_relationships: [{ identifiers: object, relationship_attributes: attributes }],
        },
        this.workspace,
      ),
    ];
  }
}
