import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { Empty } from '../components/empty';
import { Link } from '../components/link';
import { Pager } from '../components/pager';
import { RelationshipAttributes } from '../components/relationship-attributes';
import { useAsync } from '../lib/use-async';
import { useCursor } from '../lib/use-cursor';
import { personLabel } from '../models/format';
import { CardTable } from '../components/card-table';

const PAGE = 25;

/** The people related to the object, each with the relationship's own attributes, a page at a time. */
export function RelatedPeopleCard({ typeId, objectId }: { typeId: string; objectId: string }) {
  const cursor = useCursor(`${typeId}/${objectId}`);
  const state = useAsync(
    (s) => App.objectRelationships(typeId, objectId, cursor.start, PAGE, s),
    [typeId, objectId, cursor.start],
  );
  return (
    <section class="card" aria-labelledby="h-people">
      <h2 id="h-people">Related people</h2>
      <AsyncView state={state} what="Related people" label="Loading related people…">
        {(r) => (
          <>
            {r.cio_relationships.length === 0 ? (
              <Empty>Nobody is related to this object yet.</Empty>
            ) : (
              <CardTable
                testId="related-people"
                caption={`Related people, page ${cursor.page}`}
                columns={[{ label: 'Person' }, { label: 'Relationship' }]}
              >
                {r.cio_relationships.map((rel) => (
                  <tr key={rel.identifiers.cio_id}>
                    <th scope="row">
                      <Link href={`/people/${encodeURIComponent(rel.identifiers.cio_id)}`}>
                        {personLabel(rel.identifiers)}
                      </Link>
                    </th>
                    <td data-label="Relationship">
                      <RelationshipAttributes value={rel.relationship_attributes} />
                    </td>
                  </tr>
                ))}
              </CardTable>
            )}
            <Pager label="Related people" cursor={cursor} next={r.next} />
          </>
        )}
      </AsyncView>
    </section>
  );
}
