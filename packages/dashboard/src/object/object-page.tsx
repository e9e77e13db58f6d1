import { ApiError } from '../api/client';
import { App } from '../api/endpoints';
import { AsyncView } from '../components/async-view';
import { AttributesTable } from '../components/attributes-table';
import { Empty } from '../components/empty';
import { Link } from '../components/link';
import { PageTitle } from '../components/page-title';
import { useObjectTypes } from '../data/use-object-types';
import { useAsync } from '../lib/use-async';
import { useTitle } from '../lib/use-title';
import { objectLabel } from '../models/objects';
import { ObjectIdentifiersCard } from './object-identifiers-card';
import { ObjectTimelineCard } from './object-timeline-card';
import { RelatedPeopleCard } from './related-people-card';

/** One object: its identifiers and attributes, the people related to it, and its history. */
export function ObjectPage({ typeId, objectId }: { typeId: string; objectId: string }) {
  const object = useAsync((s) => App.object(typeId, objectId, s), [typeId, objectId]);
  const types = useObjectTypes();
  const type = types.data?.find((t) => t.id === typeId);
  const typeName = type?.name ?? `Type ${typeId}`;
  useTitle(object.data ? objectLabel(objectId, object.data.attributes) : objectId, typeName);

  const crumbs = (
    <nav class="crumbs" aria-label="Breadcrumb">
      <Link href="/objects">Objects</Link> <span aria-hidden="true">/</span>{' '}
      <Link href={`/objects?type=${encodeURIComponent(typeId)}`}>{typeName}</Link>{' '}
      <span aria-hidden="true">/</span>
    </nav>
  );

  if (object.error instanceof ApiError && object.error.status === 404 && !object.error.missingRoute) {
    return (
      <section>
        {crumbs}
        <PageTitle tab={['Object not found', 'Objects']}>Object not found</PageTitle>
        <Empty>
          No object <code>{objectId}</code> of type {typeName} exists in this workspace (it may have been
          deleted). <Link href={`/objects?type=${encodeURIComponent(typeId)}`}>Back to {typeName}</Link>
        </Empty>
      </section>
    );
  }

  return (
    <section>
      {crumbs}
      <AsyncView state={object} what="Object" label="Loading object…">
        {(o) => {
          const name = objectLabel(objectId, o.attributes);
          const names = Object.keys(o.attributes).sort();
          return (
            <>
              <PageTitle tab={[name, typeName]}>{name}</PageTitle>
              <div class="grid">
                <div class="col">
                  <ObjectIdentifiersCard o={o} typeName={typeName} />
                  <section class="card" aria-labelledby="h-attrs">
                    <h2 id="h-attrs">Attributes ({names.length})</h2>
                    {names.length === 0 ? (
                      <Empty>No attributes yet.</Empty>
                    ) : (
                      <AttributesTable names={names} attributes={o.attributes} timestamps={o.timestamps} />
                    )}
                  </section>
                </div>
                <div class="col">
                  <RelatedPeopleCard typeId={typeId} objectId={objectId} />
                </div>
              </div>
              <ObjectTimelineCard typeId={typeId} objectId={objectId} />
            </>
          );
        }}
      </AsyncView>
    </section>
  );
}
