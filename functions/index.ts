// The Functions entry point (package.json "main"): importing a module registers its functions.
import './scheduleScan';
import './scanTarget';
import './followUpScan';
import './dispatchAlerts';
import './http';
