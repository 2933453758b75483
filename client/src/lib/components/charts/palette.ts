/**
 * Charts draw on a canvas, which cannot read CSS custom properties; resolve the
 * design tokens of the current theme into colours once per (re)draw.
 */
export interface ChartPalette {
  text: string;
  grid: string;
  surface: string;
  font: string;
}

function token(style: CSSStyleDeclaration, name: string): string {
  return style.getPropertyValue(name).trim();
}

export function readPalette(): ChartPalette {
  const style = getComputedStyle(document.documentElement);
  return {
    text: token(style, '--color-text-muted'),
    grid: token(style, '--color-border'),
    surface: token(style, '--color-surface'),
    font: token(style, '--font-sans'),
  };
}

/** A token such as `--color-danger` as a colour value. */
export function readColor(name: string): string {
  return token(getComputedStyle(document.documentElement), name);
}

/** The same colour with an alpha channel, for filled areas (accepts #rrggbb and rgb()/rgba()). */
export function withAlpha(color: string, alpha: number): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color);
  if (hex) {
    const n = Number.parseInt(hex[1], 16);
    return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
  }
  const rgb = /^rgba?\(([^,]+),([^,]+),([^,)]+)/i.exec(color);
  return rgb ? `rgba(${rgb[1].trim()}, ${rgb[2].trim()}, ${rgb[3].trim()}, ${alpha})` : color;
}
