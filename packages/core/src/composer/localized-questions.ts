import type { LanguageCode } from './detect-language';

const quote = (words: string[]) => words.slice(0, 6).map((w) => `"${w}"`).join(', ');

/**
 * The questions the composer asks, in the language the request was read in.
 * Problem messages from the checks stay in English (they name spec fields).
 */
const QUESTIONS: Record<LanguageCode, { unread: (w: string) => string; network: (w: string) => string; vague: string[] }> = {
  en: {
    unread: (w) => `I did not understand ${w}: what should it change? Say it another way, or leave it out.`,
    network: (w) => `Should it have network access? I could not tell whether "${w}" asks for it or against it, so nothing is opened until you say.`,
    vague: [
      'Which applications do you need (for example a web browser, an office suite, a code editor or a terminal)?',
      'Should it have internet access, or stay offline?',
      'How much memory and CPU, and for how long do you need it?',
    ],
  },
  fr: {
    unread: (w) => `Je n'ai pas compris ${w} : qu'est-ce que cela doit changer ? Reformulez, ou laissez-le de côté.`,
    network: (w) => `Faut-il un accès réseau ? Je n'ai pas pu savoir si « ${w} » le demande ou l'exclut : rien n'est ouvert tant que vous ne l'avez pas dit.`,
    vague: ['De quelles applications avez-vous besoin (navigateur, suite bureautique, éditeur de code, terminal) ?', 'Faut-il un accès à internet, ou rester hors ligne ?', 'Combien de mémoire et de processeurs, et pour combien de temps ?'],
  },
  de: {
    unread: (w) => `Ich habe ${w} nicht verstanden: Was soll das ändern? Bitte anders formulieren oder weglassen.`,
    network: (w) => `Soll es Netzwerkzugang haben? Ich konnte nicht erkennen, ob „${w}" dafür oder dagegen spricht; nichts wird geöffnet, bis Sie es sagen.`,
    vague: ['Welche Anwendungen brauchen Sie (z. B. Browser, Office, Code-Editor, Terminal)?', 'Soll es Internetzugang haben oder offline bleiben?', 'Wie viel Arbeitsspeicher und CPU, und für wie lange?'],
  },
  es: {
    unread: (w) => `No entendí ${w}: ¿qué debería cambiar? Dígalo de otra forma o déjelo fuera.`,
    network: (w) => `¿Debe tener acceso a la red? No pude saber si «${w}» lo pide o lo excluye; no se abre nada hasta que lo diga.`,
    vague: ['¿Qué aplicaciones necesita (navegador, ofimática, editor de código, terminal)?', '¿Debe tener acceso a internet o quedarse sin conexión?', '¿Cuánta memoria y CPU, y por cuánto tiempo?'],
  },
  pt: {
    unread: (w) => `Não entendi ${w}: o que isso deve mudar? Diga de outra forma ou deixe de fora.`,
    network: (w) => `Deve ter acesso à rede? Não consegui saber se "${w}" pede ou exclui isso; nada é aberto até você dizer.`,
    vague: ['De quais aplicativos você precisa (navegador, escritório, editor de código, terminal)?', 'Deve ter acesso à internet ou ficar offline?', 'Quanta memória e CPU, e por quanto tempo?'],
  },
  it: {
    unread: (w) => `Non ho capito ${w}: cosa dovrebbe cambiare? Lo dica in un altro modo o lo tolga.`,
    network: (w) => `Deve avere accesso alla rete? Non ho capito se "${w}" lo chiede o lo esclude; non si apre nulla finché non lo dice.`,
    vague: ['Di quali applicazioni ha bisogno (browser, suite per ufficio, editor di codice, terminale)?', 'Deve avere accesso a internet o restare offline?', 'Quanta memoria e CPU, e per quanto tempo?'],
  },
  zh: {
    unread: (w) => `我没有理解 ${w}：它应该改变什么？请换一种说法，或者去掉它。`,
    network: (w) => `需要网络访问吗？我无法判断“${w}”是要网络还是不要网络；在您说明之前不会开放网络。`,
    vague: ['您需要哪些应用（例如浏览器、办公套件、代码编辑器或终端）？', '需要访问互联网，还是保持离线？', '需要多少内存和 CPU，使用多长时间？'],
  },
  ja: {
    unread: (w) => `${w} が理解できませんでした。何を変えたいのか、言い換えるか省いてください。`,
    network: (w) => `ネットワーク接続は必要ですか？「${w}」が接続を求めているのか断っているのか判断できませんでした。お返事があるまで何も開きません。`,
    vague: ['どのアプリが必要ですか（ブラウザ、オフィス、コードエディタ、ターミナルなど）？', 'インターネット接続は必要ですか、それともオフラインにしますか？', 'メモリと CPU はどのくらい、どのくらいの時間使いますか？'],
  },
};

export const unreadQuestion = (lang: LanguageCode, words: string[]) => QUESTIONS[lang].unread(quote(words));
export const networkQuestion = (lang: LanguageCode, word: string) => QUESTIONS[lang].network(word);
export const vagueQuestions = (lang: LanguageCode) => QUESTIONS[lang].vague;
