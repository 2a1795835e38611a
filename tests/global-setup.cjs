// Runs once per Jest run, before any test file: names the run, so that what should happen once
// per run (the engine tests' skip line) can tell this run from an earlier one. Test files and
// workers inherit the variable.
module.exports = async () => {
  process.env.GEN_COMPOSE_TEST_RUN = `${process.pid}-${Date.now()}`;
};
