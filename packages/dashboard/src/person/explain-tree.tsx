import type { AppSegment, ExplainNode } from '@roster/protocol';
import { explainWords } from '../models/explain';
import { segmentNames } from '../models/segment-names';
import { ExplainSeen } from './explain-seen';

/** The condition tree, each node ticked or crossed, with what the server saw. */
export function ExplainTree({ node, segments }: { node: ExplainNode; segments: AppSegment[] }) {
  return (
    <ul class="tree">
      <li>
        <span class={node.result ? 'yes' : 'no'} role="img" aria-label={node.result ? 'true' : 'false'}>
          {node.result ? '✓' : '✗'}
        </span>{' '}
        {explainWords(node.node, segmentNames(segments))}
        <ExplainSeen seen={node.seen} />
        {node.children?.map((c, i) => (
          <ExplainTree key={i} node={c} segments={segments} />
        ))}
      </li>
    </ul>
  );
}
