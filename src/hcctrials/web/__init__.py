"""hcctrials.web"""
