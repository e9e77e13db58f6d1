import type { AppCustomer } from '@roster/protocol';
import { Empty } from '../components/empty';
import { DeviceCard } from './device-card';

export function DevicesCard({ c }: { c: AppCustomer }) {
  return (
    <section class="card" aria-labelledby="h-devices">
      <h2 id="h-devices">Devices ({c.devices.length})</h2>
      {c.devices.length === 0 ? (
        <Empty>No devices. Devices appear when the app registers a push token.</Empty>
      ) : (
        <ul class="devices" data-testid="devices">
          {c.devices.map((d) => (
            <DeviceCard key={d.id} device={d} />
          ))}
        </ul>
      )}
    </section>
  );
}
