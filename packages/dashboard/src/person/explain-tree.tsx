import type { AppSegment, ExplainNode, ObjectType } from '@roster/protocol';
import { explainWords } from '../models/explain';
import { segmentNames, typeNames } from '../models/segment-names';
import { ExplainSeen } from './explain-seen';

/** The condition tree, each node ticked or crossed, with what the server saw. */
export function ExplainTree({
  node,
  segments,
  types = [],
}: {
  node: ExplainNode;
  segments: AppSegment[];
  types?: ObjectType[];
}) {
  return (
    <ul class="tree">
      <li>
        <span class={node.result ? 'yes' : 'no'} role="img" aria-label={node.result ? 'true' : 'false'}>
          {node.result ? '✓' : '✗'}
        </span>{' '}
        {explainWords(node.node, segmentNames(segments), typeNames(types))}
        <ExplainSeen seen={node.seen} />
        {node.children?.map((c, i) => (
          <ExplainTree key={i} node={c} segments={segments} types={types} />
        ))}
      </li>
    </ul>
  );
}
