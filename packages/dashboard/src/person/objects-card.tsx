import type { CustomerRelationshipsPage } from '@roster/protocol';
import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { Empty } from '../components/empty';
import { Link } from '../components/link';
import { Pager } from '../components/pager';
import { RelationshipAttributes } from '../components/relationship-attributes';
import { useObjectTypes } from '../data/use-object-types';
import { useAsync } from '../lib/use-async';
import { useCursor } from '../lib/use-cursor';
import { objectHref, objectLabel } from '../models/objects';
import { CardTable } from '../components/card-table';

const PAGE = 25;

interface PersonObjects {
  page: CustomerRelationshipsPage;
  /** Each object's attributes by `type/id`, for its name; missing when that request failed. */
  attributes: Map<string, Record<string, string>>;
}

/**
 * The objects a person is related to, with the relationship's attributes, a page at a time. The
 * objects' names come from one `POST /v1/objects` per type on the page (an `in` on object_id).
 */
export function ObjectsCard({ cioId }: { cioId: string }) {
  const cursor = useCursor(cioId);
  const types = useObjectTypes();
  const state = useAsync<PersonObjects>(
    async (signal) => {
      const page = await App.customerRelationships(cioId, cursor.start, PAGE, signal);
      const byType = new Map<string, string[]>();
      for (const r of page.cio_relationships) {
        const ids = byType.get(r.object_type_id) ?? [];
        ids.push(r.identifiers.object_id);
        byType.set(r.object_type_id, ids);
      }
      const attributes = new Map<string, Record<string, string>>();
      await Promise.all(
        [...byType].map(async ([typeId, ids]) => {
          try {
            const found = await App.objects(
              typeId,
              { attribute: { field: 'object_id', operator: 'in', value: ids } },
              '',
              ids.length,
              signal,
            );
            for (const o of found.objects)
              attributes.set(`${typeId}/${o.identifiers.object_id}`, o.attributes);
          } catch (err) {
            if (signal.aborted) throw err;
            // Names are a nicety: the ids still show.
          }
        }),
      );
      return { page, attributes };
    },
    [cioId, cursor.start],
  );
  const typeName = (id: string) => types.data?.find((t) => t.id === id)?.singular_name ?? `Type ${id}`;
  return (
    <section class="card" aria-labelledby="h-objects">
      <h2 id="h-objects">Objects</h2>
      <AsyncView state={state} what="Objects" label="Loading objects…">
        {({ page, attributes }) => (
          <>
            {page.cio_relationships.length === 0 ? (
              <Empty>Not related to any object.</Empty>
            ) : (
              <CardTable
                testId="person-objects"
                caption={`Objects, page ${cursor.page}`}
                columns={[{ label: 'Object' }, { label: 'Type' }, { label: 'ID' }, { label: 'Relationship' }]}
              >
                {page.cio_relationships.map((r) => {
                  const ids = r.identifiers;
                  const attrs = attributes.get(`${r.object_type_id}/${ids.object_id}`);
                  return (
                    <tr key={ids.cio_object_id}>
                      <th scope="row">
                        <Link href={objectHref(ids)}>{objectLabel(ids.object_id, attrs)}</Link>
                      </th>
                      <td data-label="Type">{typeName(r.object_type_id)}</td>
                      <td data-label="ID">
                        <code>{ids.object_id}</code>
                      </td>
                      <td data-label="Relationship">
                        <RelationshipAttributes value={r.relationship_attributes} />
                      </td>
                    </tr>
                  );
                })}
              </CardTable>
            )}
            <Pager label="Objects" cursor={cursor} next={page.next} />
          </>
        )}
      </AsyncView>
    </section>
  );
}
