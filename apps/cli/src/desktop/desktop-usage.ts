/** Usage lines of `genos desktop …` (desktop-command.ts) and `genos mcp`. */
export const DESKTOP_USAGE = `  genos desktop screenshot ID --out FILE [--region x,y,w,h] [--scale 0.5]   a PNG of the screen (or a region, scaled)
  genos desktop wait ID [--timeout MS] [--since VERSION] [--region x,y,w,h]   until the screen changes (exit 8: it did not)
  genos desktop move ID X Y | click ID X Y [--button left|middle|right] [--double]
  genos desktop drag ID X Y TO_X TO_Y [--button B] | scroll ID X Y DY (+down, -up, in notches)
  genos desktop type ID [--] TEXT | key ID KEYS ("ctrl+alt+t", "Return", "ctrl+c ctrl+v")
  genos desktop clipboard ID [--set TEXT] | cursor ID | status ID
  genos desktop windows ID [--focus WINDOW | --close WINDOW]   the open windows (id, title, position, focus); focus or close one
  genos desktop files ID [put LOCAL [--name NAME] | get NAME --out FILE]   the desktop's transfer folder
  genos desktop actions ID [--limit N]     what programs did, as JSON lines (time, action, parameters, screenshot)
  genos mcp [--env ID]                     an MCP server on stdio exposing these as tools (--env: the default desktop)
  desktop commands need a token with environments:control; exit codes: 1 wrong command line, 2 bad input, 3 not found,
  4 not allowed, 5 someone else has control, 6 throttled, 7 the desktop cannot answer, 8 it did not happen (the
  screen did not change, the window did not take focus or close), 9 other`;
