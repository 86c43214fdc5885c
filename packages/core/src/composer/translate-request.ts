import type { LanguageCode } from './detect-language';
import { noNetworkSpan } from './extract-cues';
import { FUNCTION_WORD_LANGS } from './foreign-words';
import { VOCABULARY } from './vocabulary';

/**
 * Other languages are read by rewriting the phrases the composer knows in
 * them into the English cue phrases its extractors already read ("sans
 * réseau" → "offline", "8 Kerne" → "8 cores", "仮想マシン" → "virtual
 * machine"), then reading the result as usual. Everything not rewritten stays
 * as written, so word accounting still sees it. Rules are specific phrases,
 * not single words, wherever a word is also English ("red", "per", "no").
 */
type Rule = [lang: Exclude<LanguageCode, 'en'>, pattern: string, replacement: string | ((...groups: string[]) => string)];

const L = '\\p{L}\\p{N}';
const word = (p: string) => new RegExp(`(?<![${L}])(?:${p})(?![${L}])`, 'gu');
// CJK has no spaces: its phrases match anywhere.
const cjk = (p: string) => new RegExp(p, 'gu');

const NUMBER_WORDS: Record<string, number> = {
  un: 1, une: 1, deux: 2, trois: 3, quatre: 4, cinq: 5, six: 6, huit: 8, dix: 10, douze: 12,
  ein: 1, eine: 1, einen: 1, zwei: 2, drei: 3, vier: 4, fünf: 5, sechs: 6, acht: 8, zehn: 10, zwölf: 12,
  uno: 1, una: 1, dos: 2, tres: 3, cuatro: 4, cinco: 5, seis: 6, ocho: 8, diez: 10, doce: 12,
  um: 1, uma: 1, dois: 2, duas: 2, três: 3, quatro: 4, oito: 8, dez: 10,
  due: 2, tre: 3, quattro: 4, sei: 6, otto: 8, dieci: 10, dodici: 12,
  一: 1, 两: 2, 二: 2, 三: 3, 四: 4, 五: 5, 六: 6, 八: 8, 十: 10,
};
const NUM = `\\d+(?:[.,]\\d+)?|${Object.keys(NUMBER_WORDS).sort((a, b) => b.length - a.length).join('|')}`;
const num = (raw: string) => String(NUMBER_WORDS[raw] ?? parseFloat(raw.replace(',', '.')));

// Network words, in phrases that say plainly there should be none.
const NET_TAIL = "(?:\\s+(?:à\\s+|a\\s+|au\\s+|ao\\s+|de\\s+|del\\s+|da\\s+|zum\\s+|zur\\s+)?(?:l'|la\\s+|o\\s+)?(?:internet|réseau|red|rede|rete|netz)\\p{L}*)?";
const NO_NET_FR = "sans\\s+(?:aucun\\s+|aucune\\s+)?(?:accès\\s+(?:à\\s+|au\\s+)?(?:l')?)?(?:réseau|internet|connexion|net)" + NET_TAIL + "|pas\\s+(?:de\\s+|d')(?:accès\\s+(?:à\\s+|au\\s+)?(?:l')?)?(?:réseau|internet|connexion)|(?:ne|n')\\s*(?:veux|voudrais|souhaite|veut)\\s+pas\\s+(?:de\\s+|d'|du\\s+)(?:réseau|internet|connexion)|hors[- ]ligne|déconnecté|aucun\\s+réseau|aucune\\s+connexion";
const NO_NET_DE = 'ohne\\s+(?:jede[ns]?\\s+|jegliche[ns]?\\s+)?(?:internet|netz|netzwerk|verbindung|netzzugang)\\p{L}*|kein(?:e|en)?\\s+(?:internet|netz|netzwerk|verbindung|netzzugang)\\p{L}*|nicht\\s+(?:mit\\s+dem|am)\\s+(?:internet|netz)\\s+verbunden';
const NO_NET_ES = 'sin\\s+(?:ninguna?\\s+)?(?:red|internet|conexión|conexion|acceso\\s+a\\s+(?:la\\s+red|internet))' + NET_TAIL + '|(?:nada\\s+de|ninguna)\\s+(?:red|internet|conexión)|no\\s+quiero\\s+(?:la\\s+)?(?:red|internet|conexión)|desconectad[oa]|fuera\\s+de\\s+línea';
const NO_NET_PT = 'sem\\s+(?:nenhuma?\\s+)?(?:rede|internet|conexão|conexao|ligação|acesso\\s+(?:à|a)\\s+(?:rede|internet))' + NET_TAIL + '|(?:nada\\s+de|nenhuma)\\s+(?:rede|internet|conexão)|não\\s+quero\\s+(?:a\\s+)?(?:rede|internet)|desconectad[oa]';
const NO_NET_IT = 'senza\\s+(?:alcuna?\\s+)?(?:rete|internet|connessione|accesso\\s+a\\s+internet)' + NET_TAIL + '|(?:niente|nessuna)\\s+(?:rete|internet|connessione)|non\\s+voglio\\s+(?:la\\s+)?(?:rete|internet)|disconness[oa]|fuori\\s+linea';

const RULES: Rule[] = [
  // Injections get the English shape INJECTION knows; they are then reported, never obeyed.
  ['fr', "ignore[zr]?\\s+(?:toutes\\s+)?les\\s+instructions\\s+(?:précédentes|antérieures)", ' ignore previous instructions '],
  ['de', 'ignorier(?:e|en)?\\s+(?:alle\\s+)?(?:vorherigen|bisherigen)\\s+anweisungen', ' ignore previous instructions '],
  ['es', 'ignora(?:r)?\\s+(?:todas\\s+)?las\\s+instrucciones\\s+anteriores', ' ignore previous instructions '],
  ['pt', 'ignor[ae](?:r)?\\s+(?:todas\\s+)?as\\s+instruções\\s+anteriores', ' ignore previous instructions '],
  ['it', 'ignora(?:te|re)?\\s+(?:tutte\\s+)?le\\s+istruzioni\\s+precedenti', ' ignore previous instructions '],
  // Host access, device pass-through and privileges: the sandbox never grants them, in any language.
  ['fr', "(?:mont\\p{L}*|partag\\p{L}*)\\s+(?:mon\\s+|ma\\s+|mes\\s+|le\\s+|la\\s+)?(?:dossier|répertoire|système\\s+de\\s+fichiers|disque|clé\\s+usb)[^.!?]*", ' mount my folder '],
  ['fr', "(?:de\\s+)?l'hôte", ' host '],
  ['de', '(?:usb-stick|usb-gerät|webcam)\\p{L}*\\s+(?:durchreichen|durchgereicht|einbinden)|durchreichen', ' usb passthrough '],
  ['de', '(?:meinen?\\s+)?(?:ordner|verzeichnis|dateisystem)\\s+(?:des|vom)\\s+host\\p{L}*\\s+(?:mounten|einbinden)', ' mount the host filesystem '],
  ['de', 'root-zugriff\\s+auf\\s+den\\s+host', ' root access on the host '],
  ['es', 'monta\\p{L}*\\s+(?:el\\s+|la\\s+|mi\\s+)?(?:sistema\\s+de\\s+archivos|carpeta|disco)', ' mount the folder '],
  ['es', 'del\\s+host', ' of the host '],
  ['pt', 'mont\\p{L}*\\s+(?:o\\s+|a\\s+|minha\\s+|meu\\s+)?(?:sistema\\s+de\\s+arquivos|pasta|disco)', ' mount the folder '],
  ['it', 'mont\\p{L}*\\s+(?:il\\s+|la\\s+|mia\\s+)?(?:file\\s*system|cartella|disco)', ' mount the folder '],
  ['it', "chiavetta\\s+usb", ' usb stick '],
  ['it', "dell'host", ' of the host '],
  ['pt', 'modo\\s+privilegiado', ' privileged '],
  ['es', 'modo\\s+privilegiado', ' privileged '],
  ['it', 'modalità\\s+privilegiata', ' privileged '],
  ['fr', 'mode\\s+privilégié', ' privileged '],
  ['pt', 'sem\\s+limites', ' without limits '],
  // Team network before any other network phrase: it names the network.
  ['fr', "(?:sur\\s+)?(?:le\\s+)?réseau\\s+(?:de\\s+|d')(?:mon\\s+|notre\\s+|l')?équipe|(?:les\\s+)?machines\\s+de\\s+(?:mon|notre)\\s+équipe", ' team network '],
  ['de', '(?:im\\s+)?netzwerk\\s+(?:meines|unseres)\\s+teams|team-?netz(?:werk)?|netzwerk\\s+nur\\s+für\\s+(?:mein|unser)\\s+team|nur\\s+für\\s+(?:mein|unser)\\s+team', ' team network '],
  ['es', '(?:en\\s+)?(?:la\\s+)?red\\s+de\\s+(?:mi|nuestro)\\s+equipo', ' team network '],
  ['pt', '(?:na\\s+|a\\s+)?rede\\s+da\\s+(?:minha|nossa)\\s+equipe', ' team network '],
  ['it', '(?:sulla\\s+|la\\s+)?rete\\s+del\\s+(?:mio|nostro)\\s+team', ' team network '],
  // Host allow-lists: "seulement accès à X", "nur Zugriff auf X".
  ['fr', "(?:seulement|uniquement)\\s+(?:l')?accès\\s+(?:à|au)", ' only allowed to reach '],
  ['de', 'nur\\s+(?:zugriff|zugang)\\s+(?:auf|zu)', ' only allowed to reach '],
  ['es', 'solo\\s+(?:acceso\\s+a|puede\\s+acceder\\s+a)', ' only allowed to reach '],
  ['pt', '(?:só|apenas)\\s+(?:acesso\\s+a|pode\\s+acessar)', ' only allowed to reach '],
  ['it', 'solo\\s+(?:accesso\\s+a|può\\s+accedere\\s+a)', ' only allowed to reach '],
  ['fr', NO_NET_FR, ' offline '],
  ['de', NO_NET_DE, ' offline '],
  ['es', NO_NET_ES, ' offline '],
  ['pt', NO_NET_PT, ' offline '],
  ['it', NO_NET_IT, ' offline '],
  // Internet asked for in so many words.
  ['fr', "(?:avec\\s+)?(?:un\\s+)?accès\\s+(?:à\\s+|a\\s+)?(?:l')?internet|avec\\s+internet|connecté\\s+à\\s+internet", ' internet access '],
  ['de', '(?:mit\\s+)?(?:zugang|zugriff)\\s+(?:zum|aufs|auf\\s+das)\\s+internet|mit\\s+internet(?:zugang)?', ' internet access '],
  ['es', '(?:con\\s+)?acceso\\s+a\\s+internet|con\\s+internet|con\\s+conexión\\s+a\\s+internet', ' internet access '],
  ['pt', '(?:com\\s+)?acesso\\s+(?:à|a)\\s+internet|com\\s+internet', ' internet access '],
  ['it', '(?:con\\s+)?accesso\\s+a\\s+internet|con\\s+internet', ' internet access '],
  // Runtimes.
  ['fr', 'machines?\\s+virtuelles?', ' virtual machine '],
  ['fr', 'conteneur', ' container '],
  ['de', 'virtuellen?\\s+maschinen?|virtuelle\\s+maschinen?', ' virtual machine '],
  ['es', 'máquinas?\\s+virtual(?:es)?', ' virtual machine '],
  ['es', 'contenedor', ' container '],
  ['pt', 'máquinas?\\s+virtua(?:l|is)', ' virtual machine '],
  ['pt', 'contêiner', ' container '],
  ['it', 'macchin[ae]\\s+virtual[ei]', ' virtual machine '],
  // Isolation and untrusted content.
  ['fr', 'très\\s+isolé\\p{L}*|isolé\\p{L}*|isolation\\s+maximale', ' isolated '],
  ['fr', 'suspect\\p{L}*|malveillant\\p{L}*', ' suspicious '],
  ['de', 'isoliert\\p{L}*', ' isolated '],
  ['de', 'verdächtig\\p{L}*', ' suspicious '],
  ['es', 'aislad[oa]s?', ' isolated '],
  ['es', 'sospechos[oa]s?', ' suspicious '],
  ['pt', 'isolad[oa]s?', ' isolated '],
  ['pt', 'suspeit[oa]s?', ' suspicious '],
  ['it', 'isolat[oa]', ' isolated '],
  ['it', 'sospett[oa]', ' suspicious '],
  ['fr', 'pièces?\\s+jointes?', ' attachment '],
  ['de', 'anhang|anhänge', ' attachment '],
  ['es', 'adjuntos?|archivos?\\s+adjuntos?', ' attachment '],
  ['pt', 'anexos?', ' attachment '],
  ['it', 'allegat[oi]', ' attachment '],
  // Quantities: "8 Kerne", "4 núcleos", "16 Go de RAM", "8 GB Arbeitsspeicher", "50 GB Festplatte".
  ['de', `(${NUM})\\s*(?:kerne?n?|prozessoren|cpu-kerne)`, (_m, n) => ` ${num(n!)} cores `],
  ['fr', `(${NUM})\\s*(?:cœurs?|coeurs?|processeurs?)`, (_m, n) => ` ${num(n!)} cores `],
  ['es', `(${NUM})\\s*(?:núcleos?|nucleos?|procesadores)`, (_m, n) => ` ${num(n!)} cores `],
  ['pt', `(${NUM})\\s*(?:núcleos?|nucleos?|processadores)`, (_m, n) => ` ${num(n!)} cores `],
  ['it', `(${NUM})\\s*(?:processori)`, (_m, n) => ` ${num(n!)} cores `],
  ['fr', '(\\d+(?:[.,]\\d+)?)\\s*go', (_m, n) => ` ${num(n!)} gb `],
  ['fr', '(\\d+(?:[.,]\\d+)?)\\s*mo', (_m, n) => ` ${num(n!)} mb `],
  ['fr', 'mémoire(?:\\s+vive)?', ' memory '],
  ['fr', 'disque(?:\\s+dur)?|stockage', ' disk '],
  ['fr', 'écran', ' screen '],
  ['de', 'arbeitsspeicher|hauptspeicher|speicher', ' memory '],
  ['de', 'festplatte\\p{L}*|plattenplatz|speicherplatz', ' disk '],
  ['es', 'memoria', ' memory '],
  ['es', 'disco(?:\\s+duro)?|almacenamiento', ' disk '],
  ['pt', 'memória', ' memory '],
  ['pt', 'disco|armazenamento', ' disk '],
  ['it', 'memoria', ' memory '],
  ['it', 'disco|spazio\\s+su\\s+disco', ' disk '],
  // Durations and the rest of the day; deadlines ("jusqu'à 17h") are read by chrono in their own language.
  ['fr', "(?:le\\s+)?reste\\s+de\\s+la\\s+journée", ' the rest of the day '],
  ['de', '(?:den\\s+)?rest\\s+des\\s+tages', ' the rest of the day '],
  ['es', '(?:el\\s+)?resto\\s+del\\s+día', ' the rest of the day '],
  ['pt', '(?:o\\s+)?resto\\s+do\\s+dia', ' the rest of the day '],
  ['it', '(?:il\\s+)?resto\\s+della\\s+giornata', ' the rest of the day '],
  ['fr', `(?:pendant|pour|durant|de)\\s+(${NUM})\\s*(heures?|minutes?|jours?)`, (_m, n, u) => ` for ${num(n!)} ${unit(u!)} `],
  ['de', `(?:für|während|von)\\s+(${NUM})\\s*(stunden?|minuten?|tage?n?)`, (_m, n, u) => ` for ${num(n!)} ${unit(u!)} `],
  ['es', `(?:durante|por|de)\\s+(${NUM})\\s*(horas?|minutos?|días?)`, (_m, n, u) => ` for ${num(n!)} ${unit(u!)} `],
  ['pt', `(?:durante|por|de)\\s+(${NUM})\\s*(horas?|minutos?|dias?)`, (_m, n, u) => ` for ${num(n!)} ${unit(u!)} `],
  ['it', `(?:per|durante|di)\\s+(${NUM})\\s*(ore|ora|minuti|giorni)`, (_m, n, u) => ` for ${num(n!)} ${unit(u!)} `],
  // Persistence.
  ['fr', '(?:garder|conserver)\\s+(?:mes|les)\\s+fichiers', ' keep my files '],
  ['fr', 'entre\\s+les\\s+sessions', ' between sessions '],
  ['de', '(?:meine\\s+)?dateien\\s+(?:sollen\\s+|müssen\\s+)?(?:erhalten\\s+bleiben|behalten)|dateien\\s+behalten', ' keep my files '],
  ['es', '(?:guardar|conservar|mantener)\\s+(?:mis|los)\\s+archivos', ' keep my files '],
  ['es', 'entre\\s+sesiones', ' between sessions '],
  ['pt', '(?:guardar|manter|conservar)\\s+(?:os\\s+)?(?:meus|os)\\s+arquivos', ' keep my files '],
  ['it', '(?:conservare|mantenere|tenere)\\s+i\\s+miei\\s+file', ' keep my files '],
  ['it', 'tra\\s+le\\s+sessioni', ' between sessions '],
  // Kinds of application.
  ['fr', 'navigateur(?:\\s+web)?', ' browser '],
  ['fr', 'traitement\\s+de\\s+texte', ' word processor '],
  ['fr', 'éditeur\\s+de\\s+texte', ' text editor '],
  ['fr', 'tableur', ' spreadsheet '],
  ['fr', 'bureau', ' desktop '],
  ['fr', 'poste(?:\\s+de\\s+travail)?', ' workstation '],
  ['de', 'textverarbeitung', ' word processor '],
  ['de', 'tabellenkalkulation', ' spreadsheet '],
  ['de', 'texteditor', ' text editor '],
  ['de', 'umgebung', ' environment '],
  ['fr', 'environnement', ' environment '],
  ['es', 'a\\s+través\\s+de', ' through '],
  ['pt', 'através\\s+d[eoa]', ' through '],
  ['it', 'collegat[oa]|conness[oa]', ' connected '],
  ['es', 'conectad[oa]\\s+a', ' connected to '],
  ['es', 'navegador(?:\\s+web)?', ' browser '],
  ['es', 'procesador\\s+de\\s+textos?', ' word processor '],
  ['es', 'hoja\\s+de\\s+cálculo', ' spreadsheet '],
  ['es', 'editor\\s+de\\s+texto', ' text editor '],
  ['es', 'escritorio', ' desktop '],
  ['es', 'entorno', ' environment '],
  ['pt', 'navegador', ' browser '],
  ['pt', 'processador\\s+de\\s+textos?', ' word processor '],
  ['pt', 'planilha', ' spreadsheet '],
  ['pt', 'área\\s+de\\s+trabalho', ' desktop '],
  ['pt', 'ambiente', ' environment '],
  ['it', 'elaboratore\\s+di\\s+testi', ' word processor '],
  ['it', 'foglio\\s+di\\s+calcolo', ' spreadsheet '],
  ['it', 'ambiente', ' environment '],
  ['it', 'tramite\\s+tor', ' through tor '],
];

/** Chinese and Japanese: phrases in the order they must be tried. */
const CJK_RULES: Rule[] = [
  ['zh', '忽略(?:之前|以前|先前)的?所有?(?:指令|指示)', ' ignore previous instructions '],
  ['ja', '以前の指示を(?:すべて|全て)?無視', ' ignore previous instructions '],
  ['zh', '挂载主机的?(?:根)?文件系统|挂载主机', ' mount the host filesystem '],
  ['zh', 'root权限|根权限', ' root access '],
  ['zh', '特权(?:容器|模式)?', ' privileged '],
  ['ja', '特権(?:コンテナ|モード)?', ' privileged '],
  ['zh', '(?:我的?)?团队的?网络|只连我团队的网络', ' team network '],
  ['ja', 'チームのネットワーク', ' team network '],
  ['zh', '不要网络|不要上网|无网络|没有网络|不联网|断网|不需要网络|不需要上网|离线|不能上网|禁止上网', ' offline '],
  ['ja', 'ネットワーク(?:なし|無し|不要)|ネットワークは不要|ネット(?:なし|無し)|インターネット(?:なし|無し)|インターネットは不要|オフライン|ネットワークに接続しない', ' offline '],
  ['zh', '可以上网|能上网|需要上网|要上网|联网', ' internet access '],
  ['ja', 'インターネット(?:に)?接続(?:あり|したい|する)?|インターネットに繋', ' internet access '],
  ['zh', '虚拟机', ' virtual machine '],
  ['ja', '仮想マシン|仮想環境', ' virtual machine '],
  ['zh', '容器', ' container '],
  ['ja', 'コンテナ', ' container '],
  ['zh', '隔离的?', ' isolated '],
  ['ja', '隔離(?:された)?', ' isolated '],
  ['zh', '可疑的?', ' suspicious '],
  ['ja', '怪しい|不審な', ' suspicious '],
  ['zh', '附件', ' attachment '],
  ['ja', '添付ファイル', ' attachment '],
  ['zh', `(${NUM})\\s*个?核(?:心)?`, (_m, n) => ` ${num(n!)} cores `],
  ['ja', `(${NUM})\\s*コア`, (_m, n) => ` ${num(n!)} cores `],
  ['zh', '内存', ' memory '],
  ['ja', 'メモリ', ' memory '],
  ['zh', '硬盘|磁盘|存储空间', ' disk '],
  ['ja', 'ディスク|ストレージ', ' disk '],
  ['zh', '今天剩下的时间', ' the rest of the day '],
  ['ja', '今日いっぱい', ' the rest of the day '],
  ['zh', `(?:用|使用)?(${NUM})\\s*个?(?:小时|鐘頭)`, (_m, n) => ` for ${num(n!)} hours `],
  ['ja', `(\\d+)\\s*時間`, (_m, n) => ` for ${n} hours `],
  ['zh', `(${NUM})\\s*分钟`, (_m, n) => ` for ${num(n!)} minutes `],
  ['ja', `(\\d+)\\s*分間`, (_m, n) => ` for ${n} minutes `],
  ['zh', '保留我的文件|保存我的文件|保留文件', ' keep my files '],
  ['ja', 'ファイルを(?:保存|残)', ' keep my files '],
  ['zh', '浏览器', ' browser '],
  ['ja', 'ブラウザ', ' browser '],
  ['zh', '文字处理(?:软件)?', ' word processor '],
  ['ja', 'ワープロ', ' word processor '],
  ['zh', '电子表格', ' spreadsheet '],
  ['ja', '表計算', ' spreadsheet '],
  ['zh', '文本编辑器', ' text editor '],
  ['ja', 'テキストエディタ', ' text editor '],
  ['zh', '桌面', ' desktop '],
  ['ja', 'デスクトップ', ' desktop '],
  ['zh', '环境', ' environment '],
  ['ja', '環境', ' environment '],
  ['zh', '通过', ' through '],
  ['ja', '経由', ' through '],
];

const RULES_COMPILED = RULES.map(([, p]) => word(p));
const CJK_COMPILED = CJK_RULES.map(([, p]) => cjk(p));
/** Words of the rules that are not English ("sans", "ohne", "núcleos"): a request with none of them skips the rules. */
const RULE_WORDS: ReadonlySet<string> = new Set(RULES.flatMap(([, p]) => p.match(/\p{L}{3,}/gu) ?? []).filter((w) => !VOCABULARY.has(w)));
/** Foreign words of the rules that are also English words ("sin red", "per 5 ore", "bis 16 Uhr"): they open the gate too. */
const SHARED_WORDS = new Set(['sin', 'red', 'bis', 'ore', 'ora', 'per', 'con', 'mit', 'sem', 'rede', 'rete', 'disco', 'memoria', 'ambiente', 'die', 'das', 'den', 'uno', 'una']);
const words = (text: string) => text.split(/[\s,;:!?()"]+/).map((w) => w.replace(/\.+$/, ''));
const mayHaveForeignWords = (text: string) =>
  /[^\x00-\x7f]/.test(text) || words(text).some((w) => RULE_WORDS.has(w) || SHARED_WORDS.has(w) || (FUNCTION_WORD_LANGS.has(w) && !VOCABULARY.has(w)));
const ANY_RULE = new RegExp(`(?<![${L}])(?:${RULES.map(([, p]) => `(?:${p})`).join('|')})(?![${L}])`, 'u');
const HAS_CJK = /[\u3040-\u30ff\u4e00-\u9fff]/;
const ANCHORED: [Exclude<LanguageCode, 'en'>, RegExp][] = RULES.map(([l, p]) => [l, new RegExp(`^\\s*(?:${p})\\s*$`, 'u')]);

const UNITS: Record<string, string> = { heure: 'hours', stunde: 'hours', hora: 'hours', ora: 'hours', ore: 'hours', minute: 'minutes', minuto: 'minutes', minuti: 'minutes', jour: 'days', tag: 'days', día: 'days', dia: 'days', giorni: 'days' };
function unit(u: string): string {
  const base = u.replace(/(?:en|n|s|e)$/u, '');
  return UNITS[u] ?? UNITS[base] ?? UNITS[u.replace(/s$/, '')] ?? (/^min/.test(u) ? 'minutes' : /^(?:t|j|d|g)/.test(u) ? 'days' : 'hours');
}

/** Words that name a network in each language, for the negation check. */
const NET_WORD = word("réseau\\p{L}*|internet\\p{L}*|netz\\p{L}*|rede|rete|connexion|conexión|conexão|connessione|verbindung|la\\s+red|(?:una|de|sin|mi)\\s+red|network\\p{L}*|online");
const NET_CJK = /网络|上网|联网|互联网|ネットワーク|ネット|インターネット/gu;
/** Negators of the other languages (never English words); a network word near one is never read as a yes. */
const FOREIGN_NEGATOR = /(?<![\p{L}])(?:non|ne|pas|sans|jamais|aucun\p{L}*|kein\p{L}*|nicht|ohne|nie|sin|nunca|ni|não|nao|sem|senza|mai|niente|nessun\p{L}*|ningun\p{L}*|nenhum\p{L}*)(?![\p{L}])|(?<![\p{L}])n'/u;
/** English said after the word: "internet is not something I want", "network? no thanks". */
/** English said before the word in the same clause: "don't let it touch the internet", "never goes on the network". */
const ENGLISH_NEGATION_BEFORE = /\b(?:don'?t|do\s+not|doesn'?t|does\s+not|never|shouldn'?t|should\s+not|mustn'?t|must\s+not|can'?t|cannot|won'?t|no|not|without)\b(?:\s+[\w'-]+){0,5}\s+$/;
const ENGLISH_NEGATION_AFTER = /^\W*(?:access\s+)?(?:(?:is|isn'?t|am|was|would\s+be)\s+)?(?:really\s+|actually\s+|definitely\s+|honestly\s+)?(?:not\b|never\b|nope\b|no(?:\s+thanks?|\s+thank\s+you|\s+need|\s+way)?\s*(?:[.!,]|$)|(?:i|we)\s+(?:really\s+)?(?:don'?t|do\s+not)\s+(?:need|want))/;
const NEGATOR_CJK = /不|没|無|无|别|ない|なし|いら|要りません|ません/u;
const LEFTOVER_NET = new RegExp(`(?<![${L}])(?:internet(?:zugang|verbindung|anschluss)|netzzugang|netzwerkzugang|réseau|rede|rete|connexion\\s+internet|conexión\\s+a\\s+internet|conexão\\s+(?:à\\s+)?internet|connessione\\s+(?:a\\s+)?internet)(?![${L}])|インターネット|ネットワーク|互联网|网络`, 'gu');
const ENGLISH_NET = /^(?:internet|network\p{L}*|online)$/u;

/**
 * A network word the rules did not rewrite, near a negation they could not
 * read: whether it asks for a network or against one cannot be told, so it
 * becomes a question. Never read as its opposite (the composer once gave
 * "ohne Netz" internet access).
 */
function findUncertainNetwork(text: string): string | undefined {
  // Plain English refusals ("do NOT give it network access") are read with confidence by the extractors.
  const none = noNetworkSpan(text);
  for (const m of text.matchAll(NET_WORD)) {
    if (none && m.index < none[1] && m.index + m[0].length > none[0]) continue;
    const end = m.index + m[0].length;
    const before = text.slice(Math.max(0, m.index - 28), m.index);
    // Confident English ("no internet", "without network access") is read by the extractors.
    if (/(?:\bno|\bwithout|\bnot|\bzero|\bdisabled?|\bblock(?:ed)?|\bany)\s+(?:any\s+|the\s+|outside\s+)?$/.test(before)) continue;
    const after = text.slice(end, end + 40);
    const near = `${before} ${after}`;
    if (FOREIGN_NEGATOR.test(near)) return m[0];
    // In a foreign phrase "no" is a negator too: "la red no la necesito".
    if (!ENGLISH_NET.test(m[0]) && /(?<![\p{L}])no(?![\p{L}])/u.test(after)) return m[0];
    if (ENGLISH_NEGATION_AFTER.test(after.split(/[.!?\n]/)[0] ?? '') || ENGLISH_NEGATION_AFTER.test(after)) return m[0];
    const clause = text.slice(Math.max(0, m.index - 48), m.index).split(/[.,;:!?\n]|\bbut\b|\bjust\b|\bonly\b/).pop() ?? '';
    if (ENGLISH_NEGATION_BEFORE.test(clause)) return m[0];
  }
  for (const m of text.matchAll(NET_CJK)) {
    if (NEGATOR_CJK.test(text.slice(Math.max(0, m.index - 6), m.index + m[0].length + 8))) return m[0];
  }
  return undefined;
}

export interface TranslatedRequest {
  /** The request with known foreign phrases rewritten into English cue phrases. */
  text: string;
  /** How many phrases of each language were rewritten (helps language detection). */
  votes: Partial<Record<LanguageCode, number>>;
  /** A network word next to a negation the rules could not read: "réseau? non merci", "internet is not something I want". */
  uncertainNetwork?: string;
}

/**
 * Rewrites known phrases of French, German, Spanish, Portuguese, Italian,
 * Chinese and Japanese into the English the extractors read. Applied for
 * every request (mixed-language requests are common); `lang` only orders
 * nothing and is kept for messages.
 */
export function translateRequest(normalized: string): TranslatedRequest {
  const votes: Partial<Record<LanguageCode, number>> = {};
  let text = normalized
    .replace(/[，、]/g, ', ')
    .replace(/[。！？；]/g, '. ')
    .replace(/[：]/g, ': ')
    .replace(/[（]/g, ' (')
    .replace(/[）]/g, ') ')
    // Full-width letters and digits ("ＧＩＭＰ", "４コア") are their ASCII twins.
    .replace(/[\uff01-\uff5e]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0).toLowerCase());
  const apply = (rules: Rule[], compiled: RegExp[]) => {
    rules.forEach(([lang, , replacement], i) => {
      text = text.replace(compiled[i]!, (...args: unknown[]) => {
        // "disco", "memoria", "máquina virtual" are words of several languages: each gets the vote.
        const said = args[0] as string;
        for (const l of new Set([lang, ...ANCHORED.filter(([, re]) => re.test(said)).map(([l]) => l)])) votes[l] = (votes[l] ?? 0) + 1;
        const groups = args.slice(0, -2).filter((g): g is string => typeof g === 'string' || g === undefined) as string[];
        return typeof replacement === 'string' ? replacement : replacement(...groups);
      });
    });
  };
  // One scan decides whether any rule can apply: most requests are English and skip the rules entirely.
  if (HAS_CJK.test(text)) apply(CJK_RULES, CJK_COMPILED);
  if (mayHaveForeignWords(text) && ANY_RULE.test(text)) apply(RULES, RULES_COMPILED);
  // Ordinary words of one language only ("uma", "et", "und") are votes too: short requests need them.
  // Split at spaces and punctuation, not dots: "io" in "docker.io" is no Italian.
  for (const w of words(text)) {
    const langs = FUNCTION_WORD_LANGS.get(w);
    if (langs?.length === 1 && !VOCABULARY.has(w)) votes[langs[0]!] = (votes[langs[0]!] ?? 0) + 1;
  }
  // Japanese particles and Chinese connectives left between the rewritten words separate them.
  text = text.replace(/(?<=[\x00-\x7f])[はがをにでのとも的和与跟要用](?=[\x00-\x7f]|$)/gu, ' ').replace(/[ \t]+/g, ' ');
  const uncertainNetwork = findUncertainNetwork(text);
  // A network word left over with no negation near it asks for a network ("Internetzugang brauche ich",
  // "インターネットは必要です"). Only once the negation check found nothing: never the opposite of a "no".
  if (!uncertainNetwork) text = text.replace(LEFTOVER_NET, ' internet access ');
  return { text, votes, uncertainNetwork };
}
