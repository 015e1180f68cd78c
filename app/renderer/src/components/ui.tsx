import { useEffect, useState, type InputHTMLAttributes, type ReactNode } from 'react';

/** Seconds since the epoch, re-rendering every second (countdowns). */
export function useNow(): number {
  const [now, setNow] = useState(() => Math.floor(Date.now() / 1000));
  useEffect(() => {
    const t = setInterval(() => setNow(Math.floor(Date.now() / 1000)), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}

export function formatDuration(seconds: number): string {
  if (seconds <= 0) return 'expired';
  const d = Math.floor(seconds / 86_400);
  const h = Math.floor((seconds % 86_400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  return `${m}:${String(s).padStart(2, '0')}`;
}

/** Date and time: sessions last weeks and the audit months, so a time alone says too little. */
export const formatTime = (epochSeconds: number) => new Date(epochSeconds * 1000).toLocaleString();

export function ErrorBanner({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div className="banner error" role="alert">
      {message}
    </div>
  );
}

export function Badge({ tone, children }: { tone: 'ok' | 'warn' | 'fail' | 'muted'; children: ReactNode }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

export function Field({
  label,
  hint,
  error,
  name,
  children,
}: {
  label: string;
  hint?: ReactNode;
  /** What is wrong with this field's value, shown under it. */
  error?: string;
  name?: string;
  children: ReactNode;
}) {
  return (
    <label className={error ? 'field invalid' : 'field'}>
      <span className="label">{label}</span>
      {children}
      {error && (
        <span className="error-text" role="alert" data-testid={name ? `error-${name}` : undefined}>
          {error}
        </span>
      )}
      {hint && <span className="hint">{hint}</span>}
    </label>
  );
}

/** Copies text and says so for two seconds; falls back to selecting a textarea where the clipboard is refused. */
export function CopyButton({ text, label, testId }: { text: string; label: string; testId?: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      type="button"
      data-testid={testId}
      onClick={() => {
        navigator.clipboard.writeText(text).then(
          () => setState('copied'),
          () => setState('failed'),
        );
        setTimeout(() => setState('idle'), 2000);
      }}
    >
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy refused: select the text below' : label}
    </button>
  );
}

type Draft = Record<string, string | boolean>;
type TextOptions = Omit<InputHTMLAttributes<HTMLInputElement>, 'name' | 'value' | 'onChange'> & {
  hint?: ReactNode;
};

/**
 * Inputs bound to one field each of a form's draft: the form code names the field and the label, nothing more.
 * `errors` (the bridge's answer to a save, by field) puts each message next to its field.
 */
export function bindForm<D extends Draft>(
  draft: D,
  set: (patch: Partial<D>) => void,
  errors: Partial<Record<string, string>> = {},
) {
  return {
    text(name: keyof D & string, label: string, { hint, ...input }: TextOptions = {}) {
      return (
        <Field label={label} hint={hint} error={errors[name]} name={name}>
          <input
            name={name}
            aria-invalid={errors[name] ? true : undefined}
            value={draft[name] as string}
            onChange={(e) => set({ [name]: e.target.value } as Partial<D>)}
            {...input}
          />
        </Field>
      );
    },
    /**
     * A comma-separated list that may grow long (groups, table patterns): it wraps onto more lines instead of
     * scrolling out of sight in a one-line box; Enter still submits, as in a text input.
     */
    list(name: keyof D & string, label: string, { hint, placeholder }: TextOptions = {}) {
      return (
        <Field label={label} hint={hint} error={errors[name]} name={name}>
          <textarea
            name={name}
            className="list-field"
            rows={1}
            placeholder={placeholder}
            aria-invalid={errors[name] ? true : undefined}
            value={draft[name] as string}
            onChange={(e) => set({ [name]: e.target.value.replace(/\n/g, ' ') } as Partial<D>)}
            onKeyDown={(e) => {
              if (e.key !== 'Enter') return;
              e.preventDefault();
              e.currentTarget.form?.requestSubmit();
            }}
          />
        </Field>
      );
    },
    select(name: keyof D & string, label: string, options: Array<[value: string, label: string]>) {
      return (
        <Field label={label} error={errors[name]} name={name}>
          <select
            name={name}
            value={draft[name] as string}
            onChange={(e) => set({ [name]: e.target.value } as Partial<D>)}
          >
            {options.map(([value, text]) => (
              <option key={value} value={value}>
                {text}
              </option>
            ))}
          </select>
        </Field>
      );
    },
    check(name: keyof D & string, label: string) {
      return (
        <span className={errors[name] ? 'check invalid' : 'check'}>
          <label>
            <input
              type="checkbox"
              name={name}
              aria-invalid={errors[name] ? true : undefined}
              checked={draft[name] as boolean}
              onChange={(e) => set({ [name]: e.target.checked } as Partial<D>)}
            />{' '}
            {label}
          </label>
          {errors[name] && (
            <span className="error-text" role="alert" data-testid={`error-${name}`}>
              {errors[name]}
            </span>
          )}
        </span>
      );
    },
  };
}

/** Escape closes a form, as it closes dialogs: the same as its Cancel button. */
export function escapeCloses(onCancel: () => void) {
  return {
    onKeyDown: (e: { key: string; preventDefault(): void }) => {
      if (e.key !== 'Escape') return;
      e.preventDefault();
      onCancel();
    },
  };
}

export function FormActions({ submit, onCancel }: { submit: string; onCancel: () => void }) {
  return (
    <div className="actions">
      <button type="submit" className="primary">
        {submit}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** A remove button that asks first. */
export function RemoveButton(props: {
  what: string;
  onRemove: () => void;
  disabled?: boolean;
  title?: string;
}) {
  return (
    <button
      type="button"
      className="danger"
      disabled={props.disabled}
      title={props.title}
      onClick={() => confirm(`Remove ${props.what}?`) && props.onRemove()}
    >
      Remove
    </button>
  );
}

/**
 * Opens a tab during the click (popup blockers allow nothing later), then points it at the URL once the bridge
 * gives one; the page it shows cannot navigate this one (reverse tabnabbing). No URL: the tab closes.
 */
export async function openInNewTab(url: () => Promise<string | undefined>): Promise<void> {
  const tab = window.open('about:blank', '_blank');
  const target = await url();
  if (!target) return void tab?.close();
  if (tab) {
    tab.opener = null;
    tab.location.href = target;
  } else window.open(target, '_blank');
}
