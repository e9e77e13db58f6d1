import type { Services } from '../../services/services.js';
import type { Workspace } from '../../store/workspaces/workspace.js';

/** `--site-id`, or the only (else the first) workspace. */
export async function pickWorkspace(services: Services, siteId: string | undefined): Promise<Workspace> {
  if (siteId) {
    const ws = await services.workspaces.bySiteId(siteId);
    if (!ws) throw new Error(`no workspace with site id ${siteId} (see roster workspace list)`);
    return ws;
  }
  const [first] = await services.workspaces.list();
  if (!first) throw new Error('no workspace yet: start roster serve once, or run roster workspace create');
  return first;
}
