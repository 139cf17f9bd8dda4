// Checkboxes for the filter's categories; a sub-category ("violence/graphic") is indented under its parent.
import { CATEGORIES, type Category } from '../moderation-categories.ts';

export function CategoryPicker({ value, onChange, legend }: { value: Category[]; onChange: (v: Category[]) => void; legend: string }) {
  const toggle = (c: Category, on: boolean) => onChange(on ? [...value, c] : value.filter((x) => x !== c));
  return (
    <fieldset className="categories">
      <legend className="muted small">{legend}</legend>
      {CATEGORIES.map((c) => (
        <label key={c} className={`check${c.includes('/') ? ' sub' : ''}`}>
          <input type="checkbox" checked={value.includes(c)} onChange={(e) => toggle(c, e.target.checked)} />
          {c}
        </label>
      ))}
    </fieldset>
  );
}
