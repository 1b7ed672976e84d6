// Whether this deployment trades on Binance's testnet or on the live exchange (real money), always in
// the header for a logged-in user: python_service's BINANCE_TESTNET, as the connection test reports it.
import { useQuery } from '@tanstack/react-query';
import { api, ok } from '../api/client';

export function NetworkBadge() {
  const report = useQuery({
    queryKey: ['network'],
    queryFn: () => ok(api.GET('/direct-api/binance/connection-test')),
    staleTime: Infinity,
    retry: 1,
  });
  const testnet = report.data?.testnet;
  const [network, words, title] = testnet === true ? ['testnet', 'TESTNET', "Binance's testnet: no real money"]
    : testnet === false ? ['live', 'LIVE', 'The live exchange: orders spend real money']
      : ['unknown', 'network ?', report.isPending ? 'Asking the gateway…' : 'The gateway could not say'];
  return <span className={`network-badge ${network}`} data-testid="network-badge" data-network={network}
    title={title}>{words}</span>;
}
