// The risk limits: those in force (the tighter of the settings' ceilings and the admin's own), the
// ceilings, and the admin's own, with a form to change them and a switch to halt or resume trading.
// An admin may only tighten: a looser limit comes back as 400 looser_than_ceiling, shown in words.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, ok, type Schemas } from '../../api/client';
import { LIMIT_NAMES, limitValue } from '../../api/errors';
import { isoSeconds } from '../../format';
import { ErrorMessage } from '../../components/ErrorMessage';

type Limits = Schemas['Limits'];
type Answer = Schemas['RiskLimits'];
type Name = keyof typeof LIMIT_NAMES & keyof Limits;
const NAMES = Object.keys(LIMIT_NAMES) as Name[];
const NO_LIMITS: Limits = { max_order_notional: null, max_orders_per_min: null, allowed_symbols: null,
  max_leverage: null, trading_halted: false };

export const useRisk = () => useQuery({ queryKey: ['risk'], queryFn: () => ok(api.GET('/direct-api/binance/risk')) });

function useSaveLimits() {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (limits: Limits) => ok(api.PUT('/direct-api/binance/risk', { body: limits })),
    onSuccess: (answer) => queries.setQueryData(['risk'], answer),
  });
}

/** What the limits in force allow, in one line: for traders beside the order form. */
export function LimitsInForce() {
  const risk = useRisk();
  const limits = risk.data?.in_force;
  if (!limits) return <ErrorMessage error={risk.error} doing="The risk limits could not be read" />;
  const set = NAMES.filter((name) => name !== 'trading_halted' && limits[name] != null)
    .map((name) => `${LIMIT_NAMES[name]} ${limitValue(name, limits[name])}`);
  return (
    <p className={limits.trading_halted ? 'warning' : 'muted'} data-testid="limits-in-force">
      {limits.trading_halted ? 'Trading is halted by the risk limits: no order can be placed. ' : ''}
      Risk limits in force: {set.length ? set.join('; ') : 'none'}.</p>
  );
}

export function RiskLimits() {
  const risk = useRisk();
  const save = useSaveLimits();
  const data = risk.data;
  return (
    <>
      <h1>Risk limits</h1>
      <ErrorMessage error={risk.error} />
      {data && <>
        <Halt data={data} save={save} />
        <LimitsTable data={data} />
        {/* keyed by the last change: after a save the form starts again from what the server kept */}
        <LimitsForm key={String(data.updated_at)} own={data.admin ?? NO_LIMITS} save={save} />
      </>}
    </>
  );
}

type Save = ReturnType<typeof useSaveLimits>;

function Halt({ data, save }: { data: Answer; save: Save }) {
  const own = { ...NO_LIMITS, ...data.admin };
  const halted = data.in_force.trading_halted;
  const bySettings = data.ceilings.trading_halted;
  return (
    <section aria-labelledby="halt-title">
      <h2 id="halt-title">Trading</h2>
      <p className={halted ? 'warning' : 'good'} data-testid="trading-state">{halted
        ? `Halted: every placement is refused (cancels still go)${bySettings ? ', by the setting TRADING_HALTED' : ''}.`
        : 'Running: orders within the limits are placed.'}</p>
      {!bySettings && <button type="button" disabled={save.isPending}
        onClick={() => save.mutate({ ...own, trading_halted: !own.trading_halted })}>
        {own.trading_halted ? 'Resume trading' : 'Halt trading'}</button>}
      {bySettings && <p className="muted">Only the operator can resume: the setting TRADING_HALTED is a ceiling.</p>}
    </section>
  );
}

function LimitsTable({ data }: { data: Answer }) {
  const cell = (limits: Limits | null | undefined, name: Name) => (limits ? limitValue(name, limits[name]) : '—');
  return (
    <section aria-labelledby="limits-title">
      <h2 id="limits-title">Limits</h2>
      <table className="risk">
        <thead><tr><th scope="col">Limit</th><th scope="col">In force</th><th scope="col">Settings' ceiling</th>
          <th scope="col">Admin's own</th></tr></thead>
        <tbody>
          {NAMES.map((name) => (
            <tr key={name} data-limit={name}>
              <th scope="row">{LIMIT_NAMES[name]} <code>{name}</code></th>
              <td className="in-force">{cell(data.in_force, name)}</td>
              <td className="ceiling">{cell(data.ceilings, name)}</td>
              <td className="own">{data.admin ? cell(data.admin, name) : 'none set'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.updated_by && <p className="muted">Last changed by {data.updated_by.replace(/^user:/, '')}
        {data.updated_at ? ` at ${isoSeconds(data.updated_at)}` : ''}.</p>}
    </section>
  );
}

type Fields = { max_order_notional: string; max_orders_per_min: string; allowed_symbols: string; max_leverage: string;
  trading_halted: boolean };

const fieldsOf = (own: Limits): Fields => ({
  max_order_notional: own.max_order_notional ?? '', max_orders_per_min: String(own.max_orders_per_min ?? ''),
  allowed_symbols: (own.allowed_symbols ?? []).join(', '), max_leverage: String(own.max_leverage ?? ''),
  trading_halted: own.trading_halted ?? false });

/** The form's fields as limits: empty is no limit of the admin's own; a whole number where one is due. */
function limitsOf(fields: Fields): Limits {
  const whole = (text: string, words: string) => {
    if (!text.trim()) return null;
    if (!/^\d+$/.test(text.trim())) throw new Error(`${words} must be a whole number, or empty for no limit.`);
    return Number(text.trim());
  };
  const symbols = fields.allowed_symbols.split(/[\s,]+/).filter(Boolean).map((s) => s.toUpperCase());
  return { max_order_notional: fields.max_order_notional.trim() || null,
    max_orders_per_min: whole(fields.max_orders_per_min, 'Orders per minute'),
    allowed_symbols: symbols.length ? symbols : null, max_leverage: whole(fields.max_leverage, 'Highest leverage'),
    trading_halted: fields.trading_halted };
}

function LimitsForm({ own, save }: { own: Limits; save: Save }) {
  const [fields, setFields] = useState<Fields>(() => fieldsOf(own));
  const [problem, setProblem] = useState<unknown>(null);
  const edit = (name: keyof Fields) => (event: { target: { value: string } }) =>
    setFields((old) => ({ ...old, [name]: event.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    try {
      save.mutate(limitsOf(fields));
    } catch (err) {
      setProblem(err);
    }
  };
  return (
    <section aria-labelledby="own-title">
      <h2 id="own-title">Your limits</h2>
      <p className="muted">They replace the admin limits kept now. Leave a field empty for no limit of your own (the
        setting's ceiling, if any, stays in force); none may be looser than the settings.</p>
      <form onSubmit={submit} className="limits">
        <label>Largest order value (USDT) <input name="max_order_notional" inputMode="decimal" size={10}
          value={fields.max_order_notional} onChange={edit('max_order_notional')} /></label>
        <label>Orders per minute <input name="max_orders_per_min" inputMode="numeric" size={6}
          value={fields.max_orders_per_min} onChange={edit('max_orders_per_min')} /></label>
        <label>Allowed symbols (comma-separated) <input name="allowed_symbols" size={24}
          value={fields.allowed_symbols} onChange={edit('allowed_symbols')} /></label>
        <label>Highest leverage <input name="max_leverage" inputMode="numeric" size={4}
          value={fields.max_leverage} onChange={edit('max_leverage')} /></label>
        <label className="check"><input type="checkbox" name="trading_halted" checked={fields.trading_halted}
          onChange={(e) => setFields((old) => ({ ...old, trading_halted: e.target.checked }))} /> Halt trading</label>
        <button type="submit" disabled={save.isPending}>Save the limits</button>
      </form>
      <ErrorMessage error={problem ?? save.error} doing="Not saved" />
      {save.isSuccess && <p className="good" role="status">Saved: the limits in force are above.</p>}
    </section>
  );
}
