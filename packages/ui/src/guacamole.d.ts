// Minimal typing of what GenOS uses from guacamole-common-js 1.5.
declare module 'guacamole-common-js' {
  const Guacamole: any;
  export default Guacamole;
}
