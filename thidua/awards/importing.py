"""The award-history import is award history's (`thidua.award_history.importing`); these names
stay here for the code outside awards that does not import award_history yet."""

from thidua.award_history.importing import COLUMNS as COLUMNS
from thidua.award_history.importing import ImportRefused as ImportRefused
