# The training kinds a new installation starts with (DESIGN.md), and whether each certifies.
DEFAULT_TRAINING_KINDS = ["普及性培训", "救护员培训", "师资培训"]
CERTIFYING_KINDS = {"救护员培训", "师资培训"}
# The course whose certificates make first aiders (救护员证书); 师资培训 certifies instructors.
FIRST_AIDER_KIND = "救护员培训"

# The sectors training reaches (对象领域), in the order reports list them.
DEFAULT_SECTORS = ["机关", "学校", "企业", "社区", "农村牧区"]

# A first-aid certificate is valid for three years unless said otherwise.
CERTIFICATE_VALID_YEARS = 3
# Certificates expiring within this many days are listed for retraining.
EXPIRING_WITHIN_DAYS = 90
