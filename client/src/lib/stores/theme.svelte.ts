export type Theme = 'light' | 'dark';

const THEME_KEY = 'gateway.theme';

function systemTheme(): Theme {
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

function storedTheme(): Theme | null {
  try {
    const value = localStorage.getItem(THEME_KEY);
    return value === 'light' || value === 'dark' ? value : null;
  } catch {
    return null;
  }
}

/**
 * Light or dark. Follows the operating system until the user picks one; the
 * pick is remembered. app.html applies the same rule before the first paint.
 */
class ThemeStore {
  current = $state<Theme>(storedTheme() ?? systemTheme());

  constructor() {
    window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
      if (!storedTheme()) this.#apply(systemTheme());
    });
  }

  toggle() {
    const next = this.current === 'dark' ? 'light' : 'dark';
    localStorage.setItem(THEME_KEY, next);
    this.#apply(next);
  }

  #apply(theme: Theme) {
    this.current = theme;
    document.documentElement.dataset.theme = theme;
  }
}

export const theme = new ThemeStore();
