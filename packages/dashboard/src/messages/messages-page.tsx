import { PageTitle } from '../components/page-title';
import { useCampaigns } from '../data/use-campaigns';
import { useSegments } from '../data/use-segments';
import { useTemplates } from '../data/use-templates';
import { CampaignsCard } from './campaigns-card';
import { RecentDeliveriesCard } from './recent-deliveries-card';
import { TemplatesCard } from './templates-card';

/** Push templates, campaigns and broadcasts, and what was sent. */
export function MessagesPage() {
  const templates = useTemplates();
  const campaigns = useCampaigns();
  const segments = useSegments();
  return (
    <section>
      <PageTitle tab={['Messages']}>Messages</PageTitle>
      <TemplatesCard templates={templates} />
      <CampaignsCard campaigns={campaigns} templates={templates.data ?? []} segments={segments.data ?? []} />
      <RecentDeliveriesCard templates={templates.data ?? []} campaigns={campaigns.data ?? []} />
    </section>
  );
}
