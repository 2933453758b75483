// Interface language: English and Simplified Chinese. Picked from the browser on the first visit,
// then kept in this browser's localStorage and, once signed in, on the user (so it follows them to
// another browser); switching reloads the page so every label, module-level table and formatter is
// built once in the new language.
import { addMessages, init, _ } from 'svelte-i18n';
import { get } from 'svelte/store';
import en from './en.json';
import zhCN from './zh-CN.json';

export const LANGUAGES = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

const STORAGE_KEY = 'gateway.language';

/** A stored choice wins; otherwise the first browser language we have (any zh-* reads Simplified Chinese). */
export function pickLanguage(stored: string | null, browserLanguages: readonly string[]): Language {
  if (stored === 'en' || stored === 'zh-CN') return stored;
  for (const tag of browserLanguages) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

const language: Language = pickLanguage(
  storedLanguage(),
  typeof navigator === 'undefined' ? [] : navigator.languages?.length ? navigator.languages : [navigator.language],
);

addMessages('en', en);
addMessages('zh-CN', zhCN);
// The messages are added above, so the locale is ready without waiting for init's promise.
void init({ fallbackLocale: 'en', initialLocale: language });
if (typeof document !== 'undefined') document.documentElement.lang = language;

export function currentLanguage(): Language {
  return language;
}

/** The message for a key in the current language, with {placeholders} filled from values. */
export function tr(key: string, values?: Record<string, string | number | boolean | Date | null | undefined>): string {
  return get(_)(key, values ? { values } : undefined);
}

export const isLanguage = (value: string | null | undefined): value is Language => value === 'en' || value === 'zh-CN';

export function setLanguage(next: Language): void {
  if (next === language) return;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Private mode without storage: the choice lasts for this page only.
  }
  location.reload();
}
